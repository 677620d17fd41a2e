/**
 * Secrets kept at rest under TOTP_KEY: AES-256-GCM sealing (TOTP secrets, which the server
 * must read back) and an HMAC-SHA-256 keyed hash (recovery codes, which it only compares).
 * Both keys are derived from the one configured key with HKDF, each for its own purpose.
 */
const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("base64url");
/** Sealed values start with their format version, so the scheme can change without guessing. */
const VERSION = "v1";

export class SecretBox {
  readonly #aes: Promise<CryptoKey>;
  readonly #mac: Promise<CryptoKey>;

  constructor(key: string) {
    const master = crypto.subtle.importKey("raw", enc.encode(key), "HKDF", false, ["deriveKey"]);
    const derive = (info: string, alg: AesKeyGenParams | HmacKeyGenParams, usages: KeyUsage[]) =>
      master.then((m) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode(info) }, m, alg, false, usages));
    this.#aes = derive("parley totp secret", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);
    this.#mac = derive("parley recovery code", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);
  }

  /** `context` (the owner's id) is bound in as associated data: a sealed value copied to another row does not open. */
  async seal(plain: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, await this.#aes, enc.encode(plain));
    return `${VERSION}.${b64(iv)}.${b64(ct)}`;
  }

  /** Throws when the value was sealed under another key or context, or altered. */
  async open(sealed: string, context: string): Promise<string> {
    const [version, iv, ct] = sealed.split(".");
    if (version !== VERSION || !iv || !ct) throw new Error("unknown sealed secret format");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: Buffer.from(iv, "base64url"), additionalData: enc.encode(context) },
      await this.#aes,
      Buffer.from(ct, "base64url"),
    );
    return dec.decode(plain);
  }

  async mac(text: string): Promise<string> {
    return b64(await crypto.subtle.sign("HMAC", await this.#mac, enc.encode(text)));
  }
}
