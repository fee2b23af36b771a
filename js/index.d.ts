// Type declarations for webrtc-enhanced (hand-written; the runtime is js/*.js over the WASM core).
// They describe the public contract of the guide and CONTRACT.md. Plain TypeScript, no
// dependencies beyond lib "DOM"; generic-free typed arrays so that TypeScript 5.0+ can read them.

export {};

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Settles when the WASM core is instantiated. Importing the module already awaits it (top-level
 * await), so constructors are synchronous; await it only to catch a failed load explicitly.
 * The resolved value is internal.
 */
export declare const ready: Promise<unknown>;

/** Diagnostics: bytes in use on the WASM core's heap (shared by every peer in the page). */
export declare function heapUsed(): number;

// ---------------------------------------------------------------------------------------------
// Basic names

/**
 * The four application data channels (negotiated, fixed SCTP stream ids):
 * `control` id 0 (ordered, reliable), `reliable` id 1 (ordered, reliable; the default),
 * `unreliable` id 2 (unordered, no retransmits), `file` id 3 (ordered, reliable).
 */
export type DataChannelType = 'control' | 'reliable' | 'unreliable' | 'file';

/** The peer's connection state, as reported by `getState()` and `state-change`. */
export type ConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** The `type` of an `error` event and of a `WebRTCEnhancedError`. */
export type ErrorType =
  | 'initialization'
  | 'offer-creation'
  | 'answer-creation'
  | 'answer-set'
  | 'ice-candidate'
  | 'ice-restart'
  | 'send'
  | 'message-handling'
  | 'connection-timeout'
  | 'invalid-state'
  /** The WASM core trapped: every peer on the page went to `failed`; reload to recover. */
  | 'fatal';

/** Quality grade from round-trip time and loss; `unknown` until there is a measurement. */
export type ConnectionQuality = 'excellent' | 'good' | 'fair' | 'poor' | 'unknown';

/** Bytes accepted by `send()`; a string is sent as its UTF-8 bytes. */
export type SendData = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** What `createOffer()` resolves to (also the `offer` of `renegotiation-needed`). */
export type OfferDescription = RTCSessionDescriptionInit & { type: 'offer'; sdp: string };

/** What `createAnswer()` resolves to. */
export type AnswerDescription = RTCSessionDescriptionInit & { type: 'answer'; sdp: string };

// ---------------------------------------------------------------------------------------------
// Errors

/** Errors thrown, rejected or emitted by the library carry the guide's error `type`. */
export declare class WebRTCEnhancedError extends Error {
  constructor(type: ErrorType, message: string);
  name: 'WebRTCEnhancedError';
  /** Which operation failed (same as the `error` event's `type`). */
  readonly type: ErrorType;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** An ICE (STUN/TURN) server. URLs: `stun:`, `stuns:`, `turn:`, `turns:`. */
export interface IceServer extends RTCIceServer {
  /** Only `'password'` is supported (long-term credentials). Default `'password'`. */
  credentialType?: 'password';
}

/** Peer configuration. Only `peerId` is required; every other field has the default shown. */
export interface WebRTCConfig {
  /** This peer's id (1–256 characters). Required. */
  peerId: string;
  /** STUN/TURN servers; TURN entries need `username` and `credential`. Default `[]` (no public server is ever used implicitly). */
  iceServers?: IceServer[];
  /** Milliseconds to reach `connected` before `error` type `connection-timeout` and state `failed`. Default `30000`. */
  connectionTimeout?: number;
  /** Reconnection attempts before `reconnect-failed` (integer, 0 disables). Default `5`. */
  reconnectMaxAttempts?: number;
  /** ICE restarts that may fail before the next reconnection attempts rebuild the connection (a new `RTCPeerConnection`, the session resumed on it; integer, 0: rebuild at once). Attempts also rebuild when the browser has closed the data channels. Default `3`. */
  iceRestartAttempts?: number;
  /** Base reconnection delay in ms; attempt n waits base × 2^n, capped, plus jitter. Default `1000`. */
  reconnectBaseDelay?: number;
  /** Cap on the exponential part of the reconnection delay in ms (≥ `reconnectBaseDelay`). Default `30000`. */
  reconnectMaxDelay?: number;
  /** Upper bound in ms of the random delay added to each reconnection attempt. Default `1000`. */
  reconnectJitter?: number;
  /** Bytes a channel may buffer in the browser before messages are queued instead. Default and maximum 16 MiB (`16 * 1024 * 1024`). */
  maxBufferedAmount?: number;
  /** Queued messages resume draining when a channel's buffer falls below this many bytes (< `maxBufferedAmount`). Default 1 MiB. */
  lowWaterMark?: number;
  /** Bytes the peer's own send queues may hold before `send()` fails with `error` type `send`. Default 16 MiB. */
  maxQueuedBytes?: number;
  /** Collect metrics and emit `metrics` / `quality-change` periodically. Default `true`. */
  metricsEnabled?: boolean;
  /** Milliseconds between `metrics` events (≥ 100). Default `5000`. */
  metricsInterval?: number;
  /**
   * Milliseconds of silence from a far peer of this library after which the link counts as lost
   * (`disconnected`, then the reconnection schedule), whatever the browser says; the library's
   * probes keep an idle link from being silent. `0` leaves it to the browser alone; otherwise
   * ≥ 300. Default `3000`.
   */
  heartbeatTimeout?: number;
  /** `'relay'` uses TURN candidates only. Default `'all'`. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** RTCPeerConnection bundle policy. Default `'balanced'`. */
  bundlePolicy?: RTCBundlePolicy;
  /** RTCP multiplexing; only `'require'` exists. Default `'require'`. */
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  /** ICE candidates to pre-gather (integer 0–255). Default `0`. */
  iceCandidatePoolSize?: number;
}

/** Config shared by the peers of a pool (`peerId` comes from `createPeer(id)`). */
export type PeerDefaults = Partial<Omit<WebRTCConfig, 'peerId'>>;

// ---------------------------------------------------------------------------------------------
// Metrics and NAT

/** The measured figures of `ConnectionMetrics` whose source is reported in `sources`. */
export type MetricName = 'roundTripTime' | 'jitter' | 'packetsLost' | 'availableBandwidth';

/**
 * Where a figure came from: the library's own probes (`probe`, only between two peers of this
 * library), STUN consent checks (`stun`, `consent-checks`, `stun-rtt-variation`), the send buffer's
 * drain rate under load (`buffer-drain`), or nothing measured yet (`none`, figure is 0).
 */
export type MetricSource =
  | 'probe' | 'stun' | 'consent-checks' | 'stun-rtt-variation' | 'buffer-drain' | 'none';

/** Connection statistics; the seven core figures are always finite numbers. */
export interface ConnectionMetrics {
  /** Total bytes received. */
  bytesReceived: number;
  /** Total bytes sent. */
  bytesSent: number;
  /** Total packets received. Firefox reports no packet counters: there, data-channel messages received (each at least one packet). */
  packetsReceived: number;
  /** Total packets sent. Firefox reports no packet counters: there, data-channel messages sent (each at least one packet). */
  packetsSent: number;
  /** Packets lost: `round(lossRate × packetsReceived)`, so `packetsLost / packetsReceived` is the measured loss. */
  packetsLost: number;
  /** Round-trip time in **seconds**. */
  roundTripTime: number;
  /** Jitter in **seconds**. */
  jitter: number;
  /** Measured loss rate, 0..1 (probes over the last ~10 s, or unanswered consent checks). */
  lossRate: number;
  /** Which source each measured figure came from. */
  sources: Record<MetricName, MetricSource>;
  /** Candidate types of the selected candidate pair (`relay` means TURN is in use); '' before one is selected. */
  candidateTypes: { local: RTCIceCandidateType | ''; remote: RTCIceCandidateType | '' };
  /** Send rate over the last interval, bytes per second. */
  bytesPerSecondSent: number;
  /** Receive rate over the last interval, bytes per second. */
  bytesPerSecondReceived: number;
  /** Data-channel messages sent per second over the last interval. */
  messagesPerSecondSent: number;
  /** Data-channel messages received per second over the last interval. */
  messagesPerSecondReceived: number;
  /** Estimated available outgoing bandwidth, bits per second (0: unknown). */
  availableBandwidth: number;
  /** Mean opinion score from the E-model, 1 (bad) to 4.5 (excellent); 0 before the first sample. */
  mos: number;
  /** `performance.now()` of the sample, ms. */
  timestamp: number;
}

/** NAT classification (RFC 3489 names). */
export type NATTypeName = 'open' | 'full-cone' | 'restricted' | 'port-restricted' | 'symmetric' | 'unknown';

/** RFC 4787 mapping behaviour: one public mapping for every server, or one per server. */
export type NATMappingBehavior = 'endpoint-independent' | 'dependent' | 'unknown';

/** RFC 4787 filtering behaviour (a browser cannot measure it, so usually `unknown`). */
export type NATFilteringBehavior = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown';

/**
 * What one configured STUN server showed to a connection that asked only it: the public address it
 * saw, or why there is none. Each server is asked from its own socket, so ports differ between
 * servers even behind an endpoint-independent NAT (the verdict compares mappings of one socket).
 */
export interface NATObservation {
  /** The STUN server URL. */
  server: string;
  /** Public (server-reflexive) address it saw; null when it produced no mapping. */
  address: string | null;
  /** Public port it saw; null when it produced no mapping. */
  port: number | null;
  /** Why there is no mapping: `error 701: …`, `no answer before the time limit`, `not contacted`. */
  error?: string;
}

/** Result of `detectNATType()`. */
export interface NATType {
  /** The NAT type; `unknown` when it cannot be told (e.g. fewer than two reachable STUN servers). */
  type: NATTypeName;
  /** Whether a direct (non-relayed) connection is likely to work. */
  supportsDirectConnection: boolean;
  /** Whether a TURN relay is likely needed. */
  requiresRelay: boolean;
  /** Mapping behaviour (RFC 4787). */
  mapping: NATMappingBehavior;
  /** Filtering behaviour: always `unknown`, a browser cannot observe it. */
  filtering: NATFilteringBehavior;
  /** One sentence on why this answer (e.g. why it is `unknown`). */
  reason: string;
  /** The raw evidence: one entry per configured STUN server. */
  evidence: NATObservation[];
}

// ---------------------------------------------------------------------------------------------
// Event payloads

/** `initialized`: the peer's browser objects exist. */
export interface InitializedPayload {
  peerId: string;
}
/** `state-change`: the connection state changed. */
export interface StateChangePayload {
  peerId: string;
  oldState: ConnectionState;
  newState: ConnectionState;
}
/** `ice-candidate`: a local candidate to send to the far side (JSON-serialisable). */
export interface IceCandidatePayload {
  candidate: RTCIceCandidateInit;
}
/** `ice-gathering-state`. */
export interface IceGatheringStatePayload {
  state: RTCIceGatheringState;
}
/** `ice-connection-state`. */
export interface IceConnectionStatePayload {
  state: RTCIceConnectionState;
}
/** `channel-created`, `channel-open`, `channel-close`. */
export interface ChannelPayload {
  type: DataChannelType;
  /** The channel's label (equal to its type). */
  label: DataChannelType;
}
/** `channel-error`. */
export interface ChannelErrorPayload {
  type: DataChannelType;
  error: Error;
}
/** `message`: bytes received from the far side. */
export interface MessagePayload {
  peerId: string;
  /** The channel it arrived on. */
  type: DataChannelType;
  /** The received bytes (a view of the received buffer, not a copy). */
  data: Uint8Array;
}
/** `error`. */
export interface ErrorPayload {
  type: ErrorType;
  /** A `WebRTCEnhancedError` (or a `TypeError` for a bad argument), with a message naming the problem. */
  error: Error;
}
/** Why a peer closed: `local` — this side closed it (`close()`, the pool's `removePeer()`/`closeAll()`, or the
 * garbage collector); `remote-closed` — the far side, a peer of this library, closed and said `bye`. */
export type CloseReason = 'local' | 'remote-closed';
/** `closed`: emitted once, after `state-change` to `closed`. Listeners stay attached (a late `send()` still reports `error`).
 * After a `remote-closed` the peer is in the same state as after `close()`: browser objects released, methods refused. */
export interface ClosedPayload {
  reason: CloseReason;
}
/** `reconnect-scheduled`: a reconnection attempt will start after `delay` ms. */
export interface ReconnectScheduledPayload {
  delay: number;
  /** 1-based attempt number. */
  attempt: number;
}
/** `reconnect-attempt`: a reconnection attempt (ICE restart) starts now. */
export interface ReconnectAttemptPayload {
  attempt: number;
}
/** `reconnect-failed`: all `reconnectMaxAttempts` attempts failed. */
export interface ReconnectFailedPayload {
  attempts: number;
}
/** `message-queued`: a message was queued (channel not open, buffer too full, or on `file` the far end's window full). */
export interface MessageQueuedPayload {
  type: DataChannelType;
  /** Message size in bytes. */
  size: number;
}
/**
 * `backpressure`: a channel started queuing (not open yet, its browser buffer full, or — on `file`
 * between two peers of this library — 512 KiB sent and not yet acknowledged by the far end's app);
 * slow down until `channel-ready`.
 */
export interface BackpressurePayload {
  type: DataChannelType;
  /** The channel's buffered bytes; on `file` under the window, the bytes sent and not yet acknowledged. */
  bufferedAmount: number;
}
/** `message-sent`: a queued message was handed to its channel. */
export interface MessageSentPayload {
  type: DataChannelType;
  /** Message size in bytes. */
  size: number;
}
/** `channel-ready`: the channel's queue drained (its buffer below `lowWaterMark`, or acks opened the window); sending may resume. */
export interface ChannelReadyPayload {
  type: DataChannelType;
}

/** `message-dropped`: the `unreliable` channel discarded a queued message (stale or overflow). */
export interface MessageDroppedPayload {
  type: 'unreliable';
  size: number;
  /** `stale`: queued longer than 500 ms; `overflow`: more than 256 KiB queued. */
  reason: 'stale' | 'overflow';
}
/** `metrics`: periodic statistics (every `metricsInterval` ms when `metricsEnabled`). */
export interface MetricsPayload {
  metrics: ConnectionMetrics;
}
/** `quality-change`: the quality grade changed. */
export interface QualityChangePayload {
  quality: ConnectionQuality;
  previous: ConnectionQuality;
}
/**
 * `renegotiation-needed`: this peer (the first offerer) restarted ICE. Carry `offer` to the far
 * side like the first one; it answers with `createAnswer(offer)`, and you apply that answer here
 * with `setRemoteAnswer(answer)`.
 */
export interface RenegotiationNeededPayload {
  offer: OfferDescription;
}

/** Every event a `WebRTCPeerEnhanced` emits, with its payload. */
export interface PeerEvents {
  /** The peer is set up (delivered even to listeners added right after construction). */
  initialized: InitializedPayload;
  /** The connection state changed. */
  'state-change': StateChangePayload;
  /** A local ICE candidate to send to the far side; pass it to its `addIceCandidate()`. */
  'ice-candidate': IceCandidatePayload;
  /** The ICE gathering state changed. */
  'ice-gathering-state': IceGatheringStatePayload;
  /** The ICE connection state changed. */
  'ice-connection-state': IceConnectionStatePayload;
  /** One of the four data channels was created (delivered to listeners added right after construction). */
  'channel-created': ChannelPayload;
  /** A data channel opened. */
  'channel-open': ChannelPayload;
  /** A data channel closed. */
  'channel-close': ChannelPayload;
  /** A data channel reported an error. */
  'channel-error': ChannelErrorPayload;
  /** Bytes arrived from the far side. */
  message: MessagePayload;
  /** Something failed; `type` says what. */
  error: ErrorPayload;
  /** The peer is closed (emitted once). */
  closed: ClosedPayload;
  /** A reconnection attempt is scheduled. */
  'reconnect-scheduled': ReconnectScheduledPayload;
  /** A reconnection attempt starts. */
  'reconnect-attempt': ReconnectAttemptPayload;
  /** Reconnection gave up. */
  'reconnect-failed': ReconnectFailedPayload;
  /** A message was queued instead of sent. */
  'message-queued': MessageQueuedPayload;
  /** A channel's buffer is full; slow down. */
  backpressure: BackpressurePayload;
  /** A queued message was sent. */
  'message-sent': MessageSentPayload;
  /** A channel can take more data again. */
  'channel-ready': ChannelReadyPayload;
  'message-dropped': MessageDroppedPayload;
  /** Periodic metrics. */
  metrics: MetricsPayload;
  /** The connection quality grade changed. */
  'quality-change': QualityChangePayload;
  /** An ICE restart offer to carry to the far side. */
  'renegotiation-needed': RenegotiationNeededPayload;
  /** The far side offers a transfer: `accept(sink?)` or `reject(reason?)` it. */
  transfer: IncomingTransfer;
  /** A transfer moved on: bytes handed to the browser (send) or written to the sink (receive). */
  'transfer-progress': TransferProgressPayload;
  /** A transfer is over and verified (SHA-256 equal on both sides). */
  'transfer-complete': TransferCompletePayload;
  /** A transfer ended without completing. */
  'transfer-failed': TransferFailedPayload;
}

// ---------------------------------------------------------------------------------------------
// Transfers (sendFile)

/** What `sendFile()` reads: read in slices, never whole; a stream may be of unknown size. */
export type TransferSource = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

export interface SendFileOptions {
  /** Shown to the receiver (default: the File's name, or ''); at most 1024 bytes of UTF-8. */
  name?: string;
  /** A MIME type for the receiver (default: the Blob's type, or ''); at most 256 bytes. */
  type?: string;
  /** Anything JSON-serialisable, given to the receiver as `meta`; at most 8 KiB as JSON. */
  meta?: unknown;
}

/** How a transfer ended, once the receiver verified it. */
export interface TransferResult {
  id: string;
  bytes: number;
  /** SHA-256 of the content, lower-case hex: the same on both sides. */
  sha256: string;
  seconds: number;
}

/** What `accept()` resolves to; `blob` when no sink was given. */
export interface ReceivedTransfer extends TransferResult {
  blob?: Blob;
}

/** An outgoing transfer, as `sendFile()` returns it. */
export interface OutgoingTransfer {
  /** The same id on both sides (the receiver's `transfer` event and every transfer event). */
  readonly id: string;
  readonly name: string;
  /** Bytes in all, or null for a stream of unknown size. */
  readonly size: number | null;
  /** Bytes handed to the browser so far. */
  readonly bytesSent: number;
  /** Resolves once the receiver has the whole content with an equal SHA-256; rejects with a
   *  {@link TransferError} otherwise (a far side that does not take transfers: reason 'rejected'). */
  readonly done: Promise<TransferResult>;
  /** Stops sending; both sides report `transfer-failed` reason 'cancelled'. */
  cancel(reason?: string): void;
}

/** The `transfer` event's payload. */
export interface IncomingTransfer {
  id: string;
  name: string;
  type: string;
  /** Bytes in all, or null when the sender does not know (a stream). */
  size: number | null;
  /** The sender's `meta`, parsed from JSON. */
  meta: unknown;
  /** Receives into `sink` (its backpressure paces the sender); without one, into a Blob. Resolves
   *  when the content is whole and verified; rejects with a {@link TransferError} otherwise. */
  accept(sink?: WritableStream<Uint8Array>): Promise<ReceivedTransfer>;
  /** Refuses it: the sender's `done` rejects, reason 'rejected'. */
  reject(reason?: string): void;
}

export type TransferDirection = 'send' | 'receive';
export type TransferFailureReason = 'cancelled' | 'rejected' | 'integrity' | 'closed' | 'sink';

/** The error `done` and `accept()` reject with. */
export interface TransferError extends WebRTCEnhancedError {
  reason: TransferFailureReason;
}

export interface TransferProgressPayload {
  id: string;
  direction: TransferDirection;
  bytes: number;
  /** null when the size is not known. */
  total: number | null;
}

export interface TransferCompletePayload {
  id: string;
  direction: TransferDirection;
  bytes: number;
  sha256: string;
}

export interface TransferFailedPayload {
  id: string;
  direction: TransferDirection;
  reason: TransferFailureReason;
  error: TransferError;
}

/** A listener for peer event `K`. */
export type PeerListener<K extends keyof PeerEvents> = (payload: PeerEvents[K]) => void;

/** Pool events: every peer event, with the `peerId` of the peer that emitted it. */
export type PoolEvents = { [K in keyof PeerEvents]: PeerEvents[K] & { peerId: string } };

/** A listener for pool event `K`. */
export type PoolListener<K extends keyof PoolEvents> = (payload: PoolEvents[K]) => void;

// ---------------------------------------------------------------------------------------------
// Peer

/**
 * A WebRTC peer with four data channels, send queues with backpressure, automatic reconnection
 * (ICE restart with exponential backoff), metrics and NAT detection. You carry offers, answers
 * and ICE candidates between the two sides (signaling is up to you).
 */
export declare class WebRTCPeerEnhanced {
  /**
   * Creates the peer and its channels synchronously.
   * @throws {WebRTCEnhancedError} type `initialization` when `config` is invalid (the message names the field).
   */
  constructor(config: WebRTCConfig);

  /** This peer's id (from the config). */
  readonly peerId: string;

  /** Creates the offer (makes this peer the offerer). Rejects and emits `error` type `offer-creation` on failure. */
  createOffer(): Promise<OfferDescription>;
  /** Applies the far side's offer and creates the answer. Rejects and emits `error` type `answer-creation` on failure. */
  createAnswer(offer: RTCSessionDescriptionInit): Promise<AnswerDescription>;
  /** Applies the far side's answer. Rejects and emits `error` type `answer-set` on failure. */
  setRemoteAnswer(answer: RTCSessionDescriptionInit): Promise<void>;
  /** Adds a far-side candidate (from its `ice-candidate` event); may be called before the remote description is set. */
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;

  /**
   * Sends on a channel (default `'reliable'`); queued while the channel is not open or its buffer
   * is full. Strings are sent as UTF-8.
   * @throws {TypeError} for an unknown channel type or bad data; {@link WebRTCEnhancedError} after `close()`
   * or when the queue is full (each also emits `error` type `send`).
   */
  send(data: SendData, type?: DataChannelType): void;

  /**
   * Sends a file, a buffer or a stream to a far side of this library: chunked on `file`, paced by
   * the receiver's sink, verified by SHA-256, carried across reconnections. The app must not change
   * a buffer source until `done` settles.
   * @throws {TypeError} for a source or option it cannot use; {@link WebRTCEnhancedError} after `close()`
   */
  sendFile(source: TransferSource, options?: SendFileOptions): OutgoingTransfer;

  /** The current connection state. */
  getState(): ConnectionState;
  /** Number of messages waiting in the send queues. */
  getQueueSize(): number;
  /** Bytes waiting in the send queues. */
  getQueuedBytes(): number;
  /** The latest metrics (all seven figures finite; zero before the first measurement). */
  getMetrics(): ConnectionMetrics;
  /** The current quality grade. */
  getQuality(): ConnectionQuality;
  /** Classifies the NAT using the STUN servers of this peer's config (bounded time). */
  /** Classifies the NAT from the STUN servers in this peer's config, within `timeout` ms (default 5000, 100..60000). */
  detectNATType(options?: { timeout?: number }): Promise<NATType>;

  /** Closes the peer (idempotent): emits `state-change` to `closed`, then `closed`, and frees everything. */
  close(): void;

  /** Adds a listener (Node EventEmitter semantics). */
  on<K extends keyof PeerEvents>(event: K, listener: PeerListener<K>): this;
  /** Adds a listener that is removed after its first call. */
  once<K extends keyof PeerEvents>(event: K, listener: PeerListener<K>): this;
  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof PeerEvents>(event: K, listener: PeerListener<K>): this;
  /** Calls the event's listeners; returns whether there were any. */
  emit<K extends keyof PeerEvents>(event: K, payload: PeerEvents[K]): boolean;
  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: keyof PeerEvents): this;
  /** Number of listeners of `event`. */
  listenerCount(event: keyof PeerEvents): number;
}

// ---------------------------------------------------------------------------------------------
// Pool

/** `WebRTCConnectionPool.getStats()`. */
export interface PoolStats {
  /** Peers in the pool. */
  totalPeers: number;
  /** Peers in state `connected`. */
  connectedPeers: number;
  /** Number of peers in each state. */
  states: Record<ConnectionState, number>;
}

/** Manages many peers with shared defaults and re-emits their events with `peerId`. */
export declare class WebRTCConnectionPool {
  /** @param defaults config applied to every peer the pool creates. */
  constructor(defaults?: PeerDefaults);

  /** Creates a peer with id `id` from the pool's defaults plus `overrides`, and adds it to the pool. */
  createPeer(id: string, overrides?: PeerDefaults): WebRTCPeerEnhanced;
  /** The peer with this id, if it is in the pool. */
  getPeer(id: string): WebRTCPeerEnhanced | undefined;
  /** Closes the peer and removes it from the pool. */
  removePeer(id: string): void;
  /** Peers in state `connected`. */
  getConnectedPeers(): WebRTCPeerEnhanced[];
  /** Sends `data` to every connected peer (default channel `'reliable'`), except `excludeId`. */
  broadcast(data: SendData, type?: DataChannelType, excludeId?: string): void;
  /** Peer counts, in total and by state. */
  getStats(): PoolStats;
  /** Closes and removes every peer. */
  closeAll(): void;

  /** Adds a listener for an event of any peer in the pool. */
  on<K extends keyof PoolEvents>(event: K, listener: PoolListener<K>): this;
  /** Adds a listener that is removed after its first call. */
  once<K extends keyof PoolEvents>(event: K, listener: PoolListener<K>): this;
  /** Removes a listener. */
  off<K extends keyof PoolEvents>(event: K, listener: PoolListener<K>): this;
}
