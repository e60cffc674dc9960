// codegen/c
