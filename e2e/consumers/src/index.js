// The consumer app: what a user writes. A plain import of the package name, nothing else.
import { WebRTCPeerEnhanced } from 'webrtc-enhanced';
import { exchange, report } from './exchange.js';

report(exchange(WebRTCPeerEnhanced, document.documentElement.dataset.mode));
