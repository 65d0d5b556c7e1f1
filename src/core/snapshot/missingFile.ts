/** A file a snapshot should hold and does not, or holds at the wrong size. */
export interface MissingFile {
  /** Repo path, `/`-separated; `model*.safetensors` when no weights file at all is there. */
  readonly path: string;
  /** Why it counts as missing, for people: "not in the snapshot", "12 bytes, the listing says 40". */
  readonly reason: string;
}
