// Small helpers that turn IR values into C99/C11 tokens: type names, exact literals, identifiers,
// string literals and comment text. Kept apart from the emitters so every emitter spells a float,
// an INT32_MIN or a node name the same way.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/types.h"

namespace htvm {

const char* cType(DType t);  // "float", "int8_t", "int16_t", "int32_t"

// Exact float32 literal: shortest decimal that round-trips (C rounds a decimal float literal with
// an `f` suffix directly to float), e.g. "0.1f", "3.0f", "1e-05f"; "INFINITY"/"-INFINITY"/"NAN"
// (need <math.h>) for the non-finite values.
std::string floatLiteral(float v);
// Integer literal valid for any int32 value (INT32_MIN is written as an expression because
// `-2147483648` is the negation of a literal that does not fit int on ilp32).
std::string intLiteral(int64_t v);

// Part of a C identifier: [A-Za-z0-9_] kept, everything else '_', truncated to `maxLen`.
std::string sanitizeIdent(const std::string& s, size_t maxLen = 32);
// C string literal (with quotes); non-printable bytes, quotes, backslashes and '?' (trigraphs)
// escaped.
std::string cStringLiteral(const std::string& s);
// Text safe inside /* */ and pure ASCII (no comment delimiters, no trigraphs, no control
// characters; bytes >= 0x80 written as \xNN).
std::string commentText(const std::string& s, bool keepNewlines = false);
// Text safe on one line of a make comment (target.mk, project.mk): printable ASCII only (other
// bytes as \xNN, so a newline cannot end the comment and start a rule or a $(shell ...)), and no
// trailing backslash (it would continue the comment onto the next line).
std::string makeCommentText(const std::string& s);

// Affine index expression `sum(var * coef) + constant`, omitting zero terms and unit factors:
// affine({{"oh", 2}, {"kh", 1}}, -1) == "oh * 2 + kh - 1".
std::string affine(const std::vector<std::pair<std::string, int64_t>>& terms, int64_t constant = 0);

}  // namespace htvm
