// pow-worker.js — solves a proof of work (pow.js) off the page's thread.

import { tryNonces } from './pow.js';

self.onmessage = (e) => {
  const { challenge, difficulty } = e.data || {};
  for (let from = 0; ; from += 100000) {
    const nonce = tryNonces(String(challenge), Number(difficulty) || 0, from, 100000);
    if (nonce !== null) {
      self.postMessage(nonce);
      return;
    }
  }
};
