# cpuflame sample: a small workerd worker with CPU-heavy JS and a WebCrypto PBKDF2 route.
# Serve with:  workerd serve config.capnp --inspector-addr=127.0.0.1:9229
# (the HTTP port can be overridden with  --socket-addr http=127.0.0.1:PORT)
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "index.mjs", esModule = embed "index.mjs"),
  ],
  compatibilityDate = "2024-01-01",
  compatibilityFlags = ["nodejs_compat"],
);
