// The built-in accelerator kinds. See backends.h.
#include "backends/backends.h"

#include "backends/analog/analog.h"
#include "backends/digital/digital.h"

namespace htvm {

const BackendList& builtinBackends() {
  static const BackendList list = {&digitalBackend(), &analogBackend()};
  return list;
}

}  // namespace htvm
