/** The simulated estate: readers, residents, strangers, the upstream (design.md §3 sim/). */
export { CappedLog } from './capped-log.js';
export { addDays, isoShanghai, SHANGHAI_OFFSET_MS, shanghaiDate, shanghaiMidnight } from './dates.js';
export {
  type Layout,
  layoutOf,
  type Move,
  type MoveCredential,
  openingAct,
  planDay,
  READS_PER_DAY,
} from './day-plan.js';
export {
  captureEmbedding,
  cosine,
  decodeEmbedding,
  EMBEDDING_DIMS,
  encodeEmbedding,
  personEmbedding,
} from './embedding.js';
export { type GenerateEstateOptions, generateEstate, MOVED_OUT_SHARE, STRANGER_SHARE } from './estate.js';
export {
  FaceTerminal,
  type FaceTerminalEvents,
  type FaceTerminalOptions,
  type FaceTerminalStats,
  type Presented,
  type PresentOptions,
} from './face-terminal.js';
export { FACE_HEIGHT, FACE_VARIANTS, FACE_WIDTH, faceImage, faceImages } from './images.js';
export {
  birthDateForAge,
  chineseName,
  chineseSurname,
  mobileNumber,
  type Sex,
  shanghaiIdNumber,
} from './names.js';
export { credentialOf } from './presentation.js';
export { hashSeed, Random } from './random.js';
export {
  DEFAULT_TOPIC_PREFIX,
  encodeEvent,
  readerTopics,
  type TerminalCommand,
  type TerminalCredential,
} from './reader-protocol.js';
export {
  EstateSimulation,
  type EstateSimulationOptions,
  type KindStats,
  type SimulationStats,
} from './scenario.js';
export type {
  SimEstate,
  SimPerson,
  SimPersonKind,
  SimRoster,
  SimRosterHousehold,
  SimRosterResident,
} from './types.js';
export {
  BATCH_CONTENT_TYPE,
  HEALTH_TYPE,
  SimUpstream,
  type SimUpstreamEvents,
  type SimUpstreamOptions,
  type SimUpstreamStats,
  type UpstreamEvent,
  type UpstreamRecord,
} from './upstream.js';
