// Type test for js/index.d.ts: the guide's examples (spec/webrtc-guide.md) compiled as written,
// plus misuse that must be rejected. Run: `npx tsc -p tsconfig.json` (strict, nothing emitted).
// Each section is a block so the guide's repeated names (`peer`, `config`, ...) do not clash.
// Where the guide's text cannot compile as written, the line is kept under @ts-expect-error
// with the reason, and a compiling form follows.

import { WebRTCPeerEnhanced, WebRTCConfig } from 'webrtc-enhanced';
import {
  WebRTCConnectionPool,
  WebRTCEnhancedError,
  heapUsed,
  ready,
  type CloseReason,
  type ConnectionMetrics,
  type ConnectionQuality,
  type ConnectionState,
  type DataChannelType,
  type ErrorType,
  type NATType,
  type PeerEvents,
  type PoolEvents,
  type PoolStats,
} from 'webrtc-enhanced';

// Stand-ins for the application code the guide refers to.
declare function sendToRemotePeer(message: { type: string; candidate: RTCIceCandidateInit }): void;
declare function waitForConnection(a: WebRTCPeerEnhanced, b: WebRTCPeerEnhanced): Promise<void>;
declare function showNotification(text: string): void;
declare function handleError(data: PeerEvents['error']): void;
declare function handleStateChange(data: PeerEvents['state-change']): void;
declare function handleMessage(data: PeerEvents['message']): void;
declare function handleReconnectFailed(data: PeerEvents['reconnect-failed']): void;
declare function handleBackpressure(data: PeerEvents['backpressure']): void;
/** The app's signaling channel (the guide's `receive-ice-candidate` is an app event, see below). */
declare const signaling: { on(event: 'receive-ice-candidate', listener: (c: RTCIceCandidateInit) => void): void };

// Small helper: fails to compile unless A and B are the same type.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

await ready;
const heapBytes: number = heapUsed();
void heapBytes;

// ## Configuration — Basic
{
  const config: WebRTCConfig = {
    peerId: 'peer-1',

    // ICE Servers (STUN/TURN)
    iceServers: [
      { urls: 'stun:stun.l.google.com:19302' },
      {
        urls: 'turn:turn.example.com:3478',
        username: 'user',
        credential: 'pass',
        credentialType: 'password',
      },
    ],

    // Connection parameters
    connectionTimeout: 30000,
    reconnectMaxAttempts: 5,
    reconnectBaseDelay: 1000,
    reconnectMaxDelay: 30000,

    // Data channel parameters
    maxBufferedAmount: 16 * 1024 * 1024, // 16MB
    lowWaterMark: 1024 * 1024, // 1MB

    // Metrics
    metricsEnabled: true,
    metricsInterval: 5000,
    heartbeatTimeout: 3000,
  };

  const peer = new WebRTCPeerEnhanced(config);
  const id: string = peer.peerId;
  void id;
}

// ## Configuration — Advanced (plus the fields CONTRACT adds)
{
  const advancedConfig: WebRTCConfig = {
    peerId: 'peer-1',

    // ICE configuration
    iceTransportPolicy: 'all', // 'all' or 'relay'
    bundlePolicy: 'max-bundle', // Optimal for performance
    rtcpMuxPolicy: 'require', // Required for WebRTC
    iceCandidatePoolSize: 10, // Pre-gather candidates

    // ... other options
    reconnectJitter: 500,
    maxQueuedBytes: 8 * 1024 * 1024,
  };
  void advancedConfig;
}

// ## Data Channels — Using Channels
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  // Send message on specific channel
  const message = new TextEncoder().encode('Hello!');
  peer.send(message, 'reliable');

  // Send real-time data
  const voiceData = new Uint8Array(1024);
  peer.send(voiceData, 'unreliable');

  // Send file data
  const fileChunk = new Uint8Array(16384);
  peer.send(fileChunk, 'file');

  // CONTRACT: any ArrayBufferView, an ArrayBuffer or a string; default channel 'reliable'.
  peer.send('text as UTF-8');
  peer.send(new ArrayBuffer(8), 'control');
  peer.send(new DataView(new ArrayBuffer(4)));
  peer.send(new Float32Array(4), 'unreliable');
}

// ## Connection Lifecycle — 1. Initialization
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('initialized', (data) => {
    console.log('Peer initialized:', data.peerId);
  });

  peer.on('channel-created', (data) => {
    console.log('Channel created:', data.type, data.label);
  });
}

// ## Connection Lifecycle — 2. Offer/Answer Exchange
{
  const peer1 = new WebRTCPeerEnhanced({ peerId: 'peer-1' });
  const peer2 = new WebRTCPeerEnhanced({ peerId: 'peer-2' });

  // Create offer
  const offer = await peer1.createOffer();

  // Send offer to peer2 via signaling

  // On peer2:
  const answer = await peer2.createAnswer(offer);

  // Send answer back to peer1 via signaling

  // On peer1:
  await peer1.setRemoteAnswer(answer);

  // The descriptions are plain { type, sdp } objects.
  assertType<Equal<typeof offer.type, 'offer'>>();
  assertType<Equal<typeof answer.type, 'answer'>>();
  const sdp: string = offer.sdp;
  void sdp;
  // A description that went through JSON (or a plain RTCPeerConnection's) is accepted too.
  const fromWire = JSON.parse(JSON.stringify(offer)) as RTCSessionDescriptionInit;
  await peer2.createAnswer(fromWire);
  const plain = new RTCPeerConnection();
  await peer2.createAnswer(plain.localDescription!);
}

// ## Connection Lifecycle — 3. ICE Candidate Exchange (Trickle ICE)
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  // Listen for ICE candidates
  peer.on('ice-candidate', (data) => {
    // Send candidate to remote peer via signaling
    sendToRemotePeer({
      type: 'ice-candidate',
      candidate: data.candidate,
    });
  });

  // Add received candidates.
  // The guide writes `peer.on('receive-ice-candidate', …)`, but that is the application's
  // signaling event, not one the peer emits (it is in neither the guide's event list nor CONTRACT):
  // (joined onto one line so that the one directive covers it)
  // @ts-expect-error 'receive-ice-candidate' is not a peer event
  peer.on('receive-ice-candidate', async (candidate) => { await peer.addIceCandidate(candidate); });
  // What it means, with the app's signaling object:
  signaling.on('receive-ice-candidate', async (candidate) => {
    await peer.addIceCandidate(candidate);
  });
}

// ## Connection Lifecycle — 4. Connection State Monitoring
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('state-change', (data) => {
    console.log(`State: ${data.oldState} -> ${data.newState}`);

    switch (data.newState) {
      case 'connecting':
        // Show connecting UI
        break;
      case 'connected':
        // Enable messaging
        break;
      case 'disconnected':
        // Show reconnecting UI
        break;
      case 'failed':
        // Show error
        break;
      case 'closed':
        // Clean up
        break;
    }
    assertType<Equal<typeof data.newState, ConnectionState>>();
  });

  const state: ConnectionState = peer.getState();
  void state;
}

// ## Automatic Reconnection
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('reconnect-scheduled', (data) => {
    console.log(`Reconnecting in ${data.delay}ms (attempt ${data.attempt})`);
  });

  peer.on('reconnect-attempt', (data) => {
    console.log(`Attempting reconnection #${data.attempt}`);
  });

  peer.on('reconnect-failed', (data) => {
    console.log(`Reconnection failed after ${data.attempts} attempts`);
  });

  // CONTRACT: ICE restart offers are carried like the first one.
  const remote = new WebRTCPeerEnhanced({ peerId: 'peer-2' });
  peer.on('renegotiation-needed', async ({ offer }) => {
    const answer = await remote.createAnswer(offer);
    await peer.setRemoteAnswer(answer);
  });
}

// ## Backpressure Handling
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('message-queued', (data) => {
    console.log(`Message queued on ${data.type}, size: ${data.size}`);
  });

  peer.on('backpressure', (data) => {
    console.log(`Backpressure on ${data.type}, buffered: ${data.bufferedAmount}`);
  });

  peer.on('message-sent', (data) => {
    console.log(`Message sent on ${data.type}, size: ${data.size}`);
  });

  peer.on('channel-ready', (data) => {
    const type: DataChannelType = data.type;
    void type;
  });

  // Check queue size
  const queueSize = peer.getQueueSize();
  const queuedBytes: number = peer.getQueuedBytes();
  void queueSize;
  void queuedBytes;
}

// ## Metrics Collection — Real-time Metrics
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('metrics', (data) => {
    const m = data.metrics;
    console.log('Connection Metrics:', {
      bytesReceived: m.bytesReceived,
      bytesSent: m.bytesSent,
      packetsReceived: m.packetsReceived,
      packetsSent: m.packetsSent,
      packetsLost: m.packetsLost,
      roundTripTime: m.roundTripTime * 1000, // ms
      jitter: m.jitter * 1000, // ms
    });
  });

  // Get current metrics
  const metrics = peer.getMetrics();

  // Optional extras.
  const rttSource: string | undefined = metrics.sources?.roundTripTime;
  const relayed: boolean = metrics.candidateTypes?.local === 'relay';
  const mos: number | undefined = metrics.mos;
  const rate: number = (metrics.bytesPerSecondSent ?? 0) + (metrics.bytesPerSecondReceived ?? 0);
  const bandwidth: number | undefined = metrics.availableBandwidth;
  void [rttSource, relayed, mos, rate, bandwidth];

  peer.on('quality-change', ({ quality, previous }) => {
    console.log(`Quality ${previous} -> ${quality}`);
  });
  const grade: ConnectionQuality = peer.getQuality();
  void grade;
}

// ## Metrics Collection — Connection Quality
// The guide's `function getConnectionQuality(metrics)` has an untyped parameter, which strict mode
// rejects (implicit any); the body is unchanged.
function getConnectionQuality(metrics: ConnectionMetrics | null | undefined): ConnectionQuality {
  if (!metrics) return 'unknown';

  const rtt = metrics.roundTripTime * 1000; // ms
  const lossRate = metrics.packetsLost / (metrics.packetsReceived || 1);

  if (rtt < 100 && lossRate < 0.01) return 'excellent';
  if (rtt < 200 && lossRate < 0.05) return 'good';
  if (rtt < 400 && lossRate < 0.1) return 'fair';
  return 'poor';
}

// ## NAT Traversal
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });
  const config: WebRTCConfig = { peerId: 'peer-1' };

  const natType = await peer.detectNATType();

  console.log('NAT Type:', natType.type);
  console.log('Direct connection possible:', natType.supportsDirectConnection);
  console.log('Requires relay:', natType.requiresRelay);

  // Types: 'open', 'full-cone', 'restricted', 'port-restricted', 'symmetric', 'unknown'

  switch (natType.type) {
    case 'open':
      // Direct connection works
      config.iceTransportPolicy = 'all';
      break;

    case 'symmetric':
      // May need TURN relay
      config.iceTransportPolicy = 'all';
      // Ensure TURN server is configured
      break;

    default:
      config.iceTransportPolicy = 'all';
  }

  const detail: NATType = natType;
  console.log(detail.mapping, detail.filtering, detail.reason, detail.evidence[0]?.address);
}

// ## Connection Pool
{
  const pool = new WebRTCConnectionPool({
    // Default config for all peers
    metricsEnabled: true,
    reconnectMaxAttempts: 3,
  });

  // Create peers
  const peer1 = pool.createPeer('peer-1');
  const peer2 = pool.createPeer('peer-2');
  const peer3 = pool.createPeer('peer-3', { iceTransportPolicy: 'relay' });
  void [peer1, peer2, peer3];

  // Get peer
  const peer = pool.getPeer('peer-1');
  peer?.send('hi');

  // Get all connected peers
  const connected = pool.getConnectedPeers();
  connected.forEach((p) => p.send('hi'));

  // Broadcast message
  const message = new TextEncoder().encode('Hello everyone!');
  pool.broadcast(message, 'reliable', 'peer-1'); // Exclude sender

  // Get statistics
  const stats = pool.getStats();
  console.log('Pool Stats:', {
    totalPeers: stats.totalPeers,
    connectedPeers: stats.connectedPeers,
    states: stats.states,
  });
  const typed: PoolStats = stats;
  const failed: number = typed.states.failed;
  void failed;

  // Listen to pool events
  pool.on('state-change', (data) => {
    console.log(`Peer ${data.peerId}: ${data.oldState} -> ${data.newState}`);
  });

  pool.on('message', (data) => {
    console.log(`Message from ${data.peerId}:`, data.data);
  });

  // Every peer event is re-emitted with peerId, including ones whose payload has none.
  pool.on('metrics', (data) => console.log(data.peerId, data.metrics.roundTripTime));
  pool.once('closed', (data) => console.log(`${data.peerId} closed (${data.reason})`));
  const onError = (data: PoolEvents['error']) => console.log(data.peerId, data.type);
  pool.on('error', onError);
  pool.off('error', onError);

  // Cleanup
  pool.closeAll();
  pool.removePeer('peer-2');
}

// ## Error Handling
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  peer.on('error', (data) => {
    console.error(`Error [${data.type}]:`, data.error);

    switch (data.type) {
      case 'initialization':
        // Failed to create peer connection
        break;

      case 'offer-creation':
      case 'answer-creation':
      case 'answer-set':
        // SDP negotiation failed
        break;

      case 'ice-candidate':
        // ICE candidate error
        break;

      case 'ice-restart':
        // ICE restart failed
        break;

      case 'send':
        // Message send failed
        break;

      case 'message-handling':
        // Error processing received message
        break;
    }
    const message: string = data.error.message;
    void message;
  });

  // Channel-specific errors
  peer.on('channel-error', (data) => {
    console.error(`Channel ${data.type} error:`, data.error);
  });

  try {
    new WebRTCPeerEnhanced({ peerId: '' });
  } catch (e) {
    if (e instanceof WebRTCEnhancedError) {
      const type: ErrorType = e.type;
      const name: string = e.name;
      void [type, name];
    }
  }
  const made = new WebRTCEnhancedError('connection-timeout', 'not connected in time');
  const asError: Error = made;
  void asError;
}

// ## Best Practices
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  // 1. Always Handle Events
  // Required event handlers
  peer.on('error', handleError);
  peer.on('state-change', handleStateChange);
  peer.on('message', handleMessage);

  // Recommended event handlers
  peer.on('reconnect-failed', handleReconnectFailed);
  peer.on('backpressure', handleBackpressure);

  // 2. Clean Up Resources
  // Always close connections when done
  peer.on('closed', ({ reason }) => {
    assertType<Equal<typeof reason, CloseReason>>();
    assertType<Equal<CloseReason, 'local' | 'remote-closed'>>();
    if (reason === 'remote-closed') console.log('the far side closed the connection');
    // Remove event listeners
    peer.off('message', handleMessage);
    // Clean up application state
  });

  // Graceful shutdown
  window.addEventListener('beforeunload', () => {
    peer.close();
  });

  // Chaining and the rest of the emitter surface.
  peer.once('initialized', (d) => d.peerId).on('closed', () => {});
  const had: boolean = peer.emit('channel-ready', { type: 'file' });
  const count: number = peer.listenerCount('message');
  peer.removeAllListeners('message').removeAllListeners();
  void [had, count];
}

// ## Best Practices — 3. Configure Timeouts Appropriately
{
  const config: WebRTCConfig = {
    peerId: 'peer-1',

    // Mobile networks may need longer timeouts
    connectionTimeout: 60000, // 60s for mobile

    // Desktop/WiFi can use shorter timeouts
    // @ts-expect-error the guide repeats a key in one object literal (TS1117), shown as alternatives
    connectionTimeout: 30000, // 30s for desktop

    // Adjust reconnection based on network
    reconnectMaxAttempts: 5, // More attempts for unstable networks
    reconnectMaxDelay: 60000, // Cap delay at 60s
  };
  void config;
}

// ## Best Practices — 4. Monitor Connection Quality
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  // Periodically check metrics
  peer.on('metrics', (data) => {
    const quality = getConnectionQuality(data.metrics);

    if (quality === 'poor') {
      // Notify user
      showNotification('Poor connection quality');

      // Consider switching to unreliable channel
      // for real-time data
    }
  });
}

// ## Troubleshooting
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });

  // Check ICE server configuration
  peer.on('error', (data) => {
    if (data.type === 'initialization') {
      // Verify ICE servers are reachable
      // Try fallback STUN servers
    }
  });

  peer.on('ice-gathering-state', (data) => {
    if (data.state === 'complete') {
      // The guide leaves the right-hand side empty (`= /* get collected candidates */;`).
      const candidates: RTCIceCandidateInit[] = [];
      if (candidates.length === 0) {
        // Firewall blocking UDP?
        // TURN server needed?
      }
    }
  });

  peer.on('ice-connection-state', (data) => {
    const s: RTCIceConnectionState = data.state;
    void s;
  });

  // Check queue size
  if (peer.getQueueSize() > 100) {
    // Queue is backing up
    // Check connection state
    // May need to reduce send rate
  }

  // Monitor backpressure
  peer.on('backpressure', () => {
    // Slow down sending
    // Wait for 'channel-ready' event
  });

  peer.on('metrics', (data) => {
    const lossRate = data.metrics.packetsLost / data.metrics.packetsReceived;

    if (lossRate > 0.1) {
      // Network congestion
      // Consider reducing send rate
      // Switch to unreliable channel for real-time data
    }
  });
}

// ## Testing — Integration Testing
{
  // Test connection between two peers
  const peer1 = new WebRTCPeerEnhanced({ peerId: 'peer-1' });
  const peer2 = new WebRTCPeerEnhanced({ peerId: 'peer-2' });

  const offer = await peer1.createOffer();
  const answer = await peer2.createAnswer(offer);
  await peer1.setRemoteAnswer(answer);

  // Wait for connection
  await waitForConnection(peer1, peer2);

  // Test message exchange
  peer2.on('message', (data) => {
    console.log('Received:', data.data);
  });

  peer1.send(new TextEncoder().encode('test'), 'reliable');
}

// ---------------------------------------------------------------------------------------------
// Misuse that must not compile. Each directive must match exactly one error on the next line.
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'peer-1' });
  const pool = new WebRTCConnectionPool();
  const bytes = new Uint8Array(4);

  // Unknown channel type.
  // @ts-expect-error 'video' is not a DataChannelType
  peer.send(bytes, 'video');
  // @ts-expect-error library channels are not for the application
  pool.broadcast(bytes, 'wre');

  // Data that is not bytes or a string.
  // @ts-expect-error numbers are not sendable
  peer.send(42);

  // Wrong payload field.
  // @ts-expect-error state-change has oldState/newState, not state
  peer.on('state-change', (data) => console.log(data.state));
  // @ts-expect-error reconnect-failed carries `attempts`, not `attempt`
  peer.on('reconnect-failed', (data) => console.log(data.attempt));
  // @ts-expect-error message data is a Uint8Array, not a string
  peer.on('message', (data) => data.data.toUpperCase());
  // @ts-expect-error a listener typed for another event's payload
  peer.on('message', handleStateChange);
  // @ts-expect-error emit with the wrong payload
  peer.emit('channel-ready', { channel: 'file' });

  // Unknown event names.
  // @ts-expect-error 'connected' is a state, not an event
  peer.on('connected', () => {});
  // @ts-expect-error 'data' is simple-peer's event name, not this library's
  pool.on('data', () => {});

  // Wrong config field types.
  // @ts-expect-error connectionTimeout is a number of milliseconds
  new WebRTCPeerEnhanced({ peerId: 'p', connectionTimeout: '30s' });
  // @ts-expect-error iceTransportPolicy is 'all' or 'relay'
  new WebRTCPeerEnhanced({ peerId: 'p', iceTransportPolicy: 'none' });
  // @ts-expect-error iceServers entries need `urls`
  new WebRTCPeerEnhanced({ peerId: 'p', iceServers: [{ username: 'u' }] });
  // @ts-expect-error metricsEnabled is a boolean
  new WebRTCConnectionPool({ metricsEnabled: 'yes' });

  // Unknown config fields.
  // @ts-expect-error `timeout` is not a config field
  new WebRTCPeerEnhanced({ peerId: 'p', timeout: 1000 });
  // @ts-expect-error `peerId` is required
  new WebRTCPeerEnhanced({ iceServers: [] });
  // @ts-expect-error the pool's defaults take no peerId (createPeer(id) gives it)
  new WebRTCConnectionPool({ peerId: 'p' });

  // Wrong states and read-only fields.
  // @ts-expect-error 'open' is not a ConnectionState
  if (peer.getState() === 'open') console.log('never');
  // @ts-expect-error peerId is read-only
  peer.peerId = 'other';
  // @ts-expect-error addIceCandidate needs an RTCIceCandidateInit, not a string
  void peer.addIceCandidate('candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host');
  // @ts-expect-error NATType.type is not a free string
  const nat: NATType = { type: 'cone', supportsDirectConnection: true, requiresRelay: false };
  void nat;
}

// ## Transfers (CONTRACT "Transfers": sendFile, the `transfer` event, progress and outcomes)
{
  const peer = new WebRTCPeerEnhanced({ peerId: 'files' });
  const file = new File(['hello'], 'hello.txt', { type: 'text/plain' });
  const t = peer.sendFile(file, { name: file.name, type: file.type, meta: { folder: 'inbox' } });
  const id: string = t.id;
  const size: number | null = t.size;
  void [id, size, t.bytesSent];
  t.done.then((r) => console.log(r.sha256, r.bytes, r.seconds));
  t.cancel('user pressed stop');
  peer.sendFile(new Uint8Array(16));
  peer.sendFile(new ReadableStream<Uint8Array>());
  peer.on('transfer', async (incoming) => {
    if (incoming.size !== null && incoming.size > 1e9) return incoming.reject('too big');
    const received = await incoming.accept();
    const blob: Blob | undefined = received.blob;
    void blob;
    await incoming.accept(new WritableStream<Uint8Array>());
  });
  peer.on('transfer-progress', ({ id: which, direction, bytes, total }) => console.log(which, direction, bytes, total));
  peer.on('transfer-complete', ({ sha256 }) => console.log(sha256));
  peer.on('transfer-failed', ({ reason, error }) => {
    assertType<Equal<typeof reason, 'cancelled' | 'rejected' | 'integrity' | 'closed' | 'sink'>>();
    console.log(error.reason, error.message);
  });
  // @ts-expect-error a string is not a transfer source (send() takes strings; sendFile does not)
  peer.sendFile('text');
  // @ts-expect-error bytesSent is read-only
  t.bytesSent = 5;
}
