// Type-checked from a consumer folder with the package installed from the tarball: the package's
// `types` must resolve through `exports` for a plain import of the package name.
import { WebRTCPeerEnhanced, WebRTCEnhancedError, ready } from 'webrtc-enhanced';
import type { ConnectionState, DataChannelType } from 'webrtc-enhanced';

await ready;
const peer = new WebRTCPeerEnhanced({ peerId: 'types', iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
const state: ConnectionState = peer.getState();
const channel: DataChannelType = 'file';
peer.on('message', ({ peerId, type, data }) => {
  const bytes: Uint8Array = data;
  console.log(peerId, type, bytes.byteLength, state, channel);
});
peer.send('hi', channel);
const offer = await peer.createOffer();
const sdp: string = offer.sdp;
console.log(sdp, new WebRTCEnhancedError('send', 'x').type);

// @ts-expect-error: not a channel type
peer.send('hi', 'bogus');
// @ts-expect-error: peerId is required
new WebRTCPeerEnhanced({});
