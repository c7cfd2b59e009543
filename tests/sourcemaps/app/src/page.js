// The test app in a page: samples/chrome/sourcemaps/record.js calls runApp(ms).
import { runAll } from './run.js';

globalThis.runApp = (ms) => runAll(ms) + runAll(ms / 4);
