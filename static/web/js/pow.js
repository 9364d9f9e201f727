// pow.js — the proof of work of joining the queue from home: find a nonce
// such that SHA-256(challenge + ":" + nonce) starts with `difficulty` zero
// bits (remote/challenge.go checks it). SHA-256 is written here rather than
// taken from crypto.subtle: subtle is async (a promise per hash is slower
// than the hash) and missing outside secure contexts (a phone on
// http://LAN-address). solveIn runs in a Web Worker (pow-worker.js) when it
// can, else here in chunks that leave the page responsive.

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of bytes, as 8 big-endian 32-bit words. */
export function sha256(bytes) {
  const n = bytes.length;
  const blocks = Math.ceil((n + 9) / 64);
  const buf = new Uint8Array(blocks * 64);
  buf.set(bytes);
  buf[n] = 0x80;
  const bits = n * 8;
  const end = buf.length;
  buf[end - 4] = (bits >>> 24) & 0xff;
  buf[end - 3] = (bits >>> 16) & 0xff;
  buf[end - 2] = (bits >>> 8) & 0xff;
  buf[end - 1] = bits & 0xff;
  buf[end - 5] = Math.floor(bits / 2 ** 32) & 0xff;
  const H = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const W = new Uint32Array(64);
  for (let off = 0; off < buf.length; off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      W[i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const a = W[i - 15];
      const b = W[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = H;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
  return H;
}

/** The zero bits at the start of a digest. */
export function leadingZeroBits(words) {
  let n = 0;
  for (const w of words) {
    if (w === 0) { n += 32; continue; }
    return n + Math.clz32(w);
  }
  return n;
}

const ascii = (s) => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

/**
 * Tries nonces from `from` for `count` tries; returns the first that
 * solves the challenge (a decimal string), or null.
 */
export function tryNonces(challenge, difficulty, from, count) {
  const prefix = ascii(`${challenge}:`);
  const bytes = new Uint8Array(prefix.length + 16);
  bytes.set(prefix);
  for (let i = from; i < from + count; i++) {
    const digits = String(i);
    for (let k = 0; k < digits.length; k++) bytes[prefix.length + k] = digits.charCodeAt(k);
    if (leadingZeroBits(sha256(bytes.subarray(0, prefix.length + digits.length))) >= difficulty) return digits;
  }
  return null;
}

const CHUNK = 4000;

/** Solves on this thread in chunks, yielding to the page between them. */
async function solveHere(challenge, difficulty) {
  for (let from = 0; ; from += CHUNK) {
    const nonce = tryNonces(challenge, difficulty, from, CHUNK);
    if (nonce !== null) return nonce;
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Finds a nonce for challenge: in a Web Worker when the browser has one. */
export function solve(challenge, difficulty) {
  if (typeof Worker !== 'function') return solveHere(challenge, difficulty);
  return new Promise((resolve) => {
    let w;
    try {
      w = new Worker('/static/js/pow-worker.js', { type: 'module' });
    } catch {
      resolve(solveHere(challenge, difficulty));
      return;
    }
    w.onmessage = (e) => { w.terminate(); resolve(String(e.data)); };
    w.onerror = () => { w.terminate(); resolve(solveHere(challenge, difficulty)); };
    w.postMessage({ challenge, difficulty });
  });
}
