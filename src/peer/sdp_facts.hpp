// The few facts the core reads out of a session description (the browser does the real parsing).
#pragma once

#include <string_view>

namespace wre {

// The far end's a=max-message-size (RFC 8841): 65536 when absent, infinity when 0 ("any size").
double maxMessageSizeOf(std::string_view sdp);

}  // namespace wre
