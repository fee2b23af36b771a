// Signaling steps the peer targets share: the peer offers and the far side's answer is applied
// (the first connection, or a rebuilt one whose offer the peer has just made).
#pragma once

#include "check.hpp"
#include "fake_driver.hpp"
#include "peer/peer.hpp"

namespace wre::test {

inline constexpr const char* kFuzzAnswer = "v=0\r\na=max-message-size:262144\r\n";

// Applies `offerSdp` as the peer's offer `id` and the far side's answer; false if it was refused.
inline bool answerOffer(Peer& peer, RequestId id, const char* offerSdp) {
  peer.onDescription(id, {"offer", offerSdp});
  auto answer = peer.setRemoteAnswer({"answer", kFuzzAnswer});
  if (!answer) return false;
  peer.onRequestDone(answer.value());
  return true;
}

inline void offerAnswered(Peer& peer) {
  FUZZ_CHECK(peer.start(), "start failed");
  auto offer = peer.createOffer();
  FUZZ_CHECK(offer, "createOffer failed");
  FUZZ_CHECK(answerOffer(peer, offer.value(), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"), "setRemoteAnswer failed");
}

}  // namespace wre::test
