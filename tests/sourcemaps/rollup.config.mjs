// rollup + terser build of the test app; OUT is the output directory.
import terser from '@rollup/plugin-terser';

export default {
  input: 'app/src/main.js',
  output: {
    file: `${process.env.OUT}/app.js`,
    format: 'cjs',
    sourcemap: true,
    plugins: [terser()],
  },
};
