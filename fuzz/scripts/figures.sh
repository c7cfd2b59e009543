#!/usr/bin/env bash
# Print a Markdown table of the last run's figures from fuzz/logs/<target>.log
# (written by run_all.sh): executions, seconds, exec/s, corpus, crashes.
cd "$(dirname "$0")/.."
echo "| target | executions | time | exec/s | corpus (files, size) | OOMs / timeouts / crashes |"
echo "|---|---:|---:|---:|---:|---|"
for log in logs/*.log; do
  t=$(basename "$log" .log)
  name=$t
  t=${t%.round1}
  last=$(grep -E '^#[0-9]+: cov' "$log" | tail -1)
  [ -z "$last" ] && continue
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  secs=$(sed -E 's/.* time: ([0-9]+)s.*/\1/' <<<"$last")
  bad=$(sed -E 's/.*oom\/timeout\/crash: ([0-9\/]+).*/\1/' <<<"$last")
  files=$(find "corpus/$t" -type f | wc -l)
  size=$(du -sh "corpus/$t" | cut -f1)
  echo "| \`$name\` | $execs | ${secs} s | $((execs / (secs > 0 ? secs : 1))) | $files, $size | $bad |"
done
