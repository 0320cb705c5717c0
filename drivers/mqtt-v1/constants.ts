/** Reader protocol v1 over MQTT (design.md §5, normative). */

/** Largest credential event accepted (§5: "at most 512 KiB"). */
export const MAX_EVENT_BYTES = 512 * 1024;
export const CREDENTIAL_TYPES = ['face', 'card', 'idcard', 'fingerprint', 'qrcode'] as const;
export const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/** Face embedding dimensions allowed (§5). */
export const EMBEDDING_MIN_DIMS = 128;
export const EMBEDDING_MAX_DIMS = 512;
/** How far from unit length an embedding may be (float32 rounding, lossy encoders). */
export const EMBEDDING_NORM_TOLERANCE = 0.02;
/** Record ids longer than this are refused: they are keys in the journal. */
export const MAX_RECORD_ID = 128;

/** Topic of each direction, relative to `{prefix}/readers/{reader}/`. */
export const TOPIC = {
  events: 'events',
  commands: 'commands',
  status: 'status',
  persons: 'persons',
} as const;
