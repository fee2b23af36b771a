// Test fixtures' common start: a peer on the fake driver brought to a live link (Catch2 tests
// only; the fuzz targets share fake_driver.hpp without Catch).
#pragma once

#include <catch2/catch.hpp>

#include "fake_driver.hpp"
#include "peer/peer.hpp"

namespace wre::test {

// A started peer as offerer through to connected, every channel open (`wre` included): where most
// tests of a live link start.
inline void connectAsOfferer(Peer& peer) {
  auto id = peer.createOffer();
  REQUIRE(id);
  peer.onDescription(id.value(), {"offer", "v=0\r\n"});
  auto set = peer.setRemoteAnswer({"answer", "v=0\r\n"});
  REQUIRE(set);
  peer.onRequestDone(set.value());
  peer.onConnectionState("connected");
  for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
  REQUIRE(peer.state() == PeerState::Connected);
}

}  // namespace wre::test
