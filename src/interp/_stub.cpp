// interp
