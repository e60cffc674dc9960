// Reading ONNX NodeProtos: the display name every message uses for a node, and attribute
// accessors with the ONNX defaults. The accessors trust attribute types because the ONNX checker
// has already matched every attribute against its op schema (onnx_load.h); a wrongly typed
// attribute in an unchecked model reads as its default instead of crashing.
#pragma once

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

namespace htvm {

// The ONNX node name, or "<OpType>_<index>" when the model leaves it empty.
std::string onnxNodeName(const onnx::NodeProto& node, int index);
// "node 'name' (OpType)", the prefix of every node-scoped message.
std::string onnxNodeRef(const onnx::NodeProto& node, int index);

const onnx::AttributeProto* findAttr(const onnx::NodeProto& node, const std::string& name);
int64_t attrInt(const onnx::NodeProto& node, const std::string& name, int64_t dflt);
double attrFloat(const onnx::NodeProto& node, const std::string& name, double dflt);
std::string attrString(const onnx::NodeProto& node, const std::string& name, const std::string& dflt);
std::optional<std::vector<int64_t>> attrInts(const onnx::NodeProto& node, const std::string& name);

}  // namespace htvm
