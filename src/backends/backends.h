// The accelerator kinds htvm is built with, as one explicit list (no registration by static
// initialisers): the platform loader resolves each accelerator's "kind" in it. Tests add kinds of
// their own by passing a longer list.
#pragma once

#include "backends/backend.h"

namespace htvm {

// digital, analog.
const BackendList& builtinBackends();

}  // namespace htvm
