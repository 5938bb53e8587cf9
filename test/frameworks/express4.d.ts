// Express 4 runs under the `express4` alias; its API used here matches Express 5's types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
