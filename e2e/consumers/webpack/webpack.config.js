// The whole webpack configuration a user needs: nothing about WASM, top-level await or assets.
export default {
  mode: 'production',
  entry: './src/index.js',
};
