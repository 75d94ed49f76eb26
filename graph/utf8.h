// Text checks shared by every layer (imports, targets files, the HTTP API).
#pragma once

#include <string_view>

namespace chainatlas {

// True when s is well-formed UTF-8: no overlong forms, surrogates or values past U+10FFFF.
bool IsValidUtf8(std::string_view s);

}  // namespace chainatlas
