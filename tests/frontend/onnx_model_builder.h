// Builds small ONNX models in tests with the protobuf API, so every frontend case is spelled out
// next to its assertions (no generator scripts, no binary fixtures). Defaults make a model the
// ONNX checker accepts: IR version 7, default-domain opset 13 unless given.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace htvm::testing {

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) {
    model_.set_ir_version(7);
    model_.set_producer_name("htvm-test");
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    graph().set_name("test_graph");
  }

  onnx::GraphProto& graph() { return *model_.mutable_graph(); }
  onnx::ModelProto& proto() { return model_; }

  // A graph input; a negative dimension becomes the symbolic dimension "N".
  ModelBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                      int32_t elem = onnx::TensorProto::FLOAT) {
    auto* t = graph().add_input()->mutable_type()->mutable_tensor_type();
    graph().mutable_input(graph().input_size() - 1)->set_name(name);
    t->set_elem_type(elem);
    auto* shape = t->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0)
        shape->add_dim()->set_dim_param("N");
      else
        shape->add_dim()->set_dim_value(d);
    }
    return *this;
  }

  // A float32 graph output of the given rank; its dimensions are left for ONNX shape inference
  // (the checker wants a shape, not its sizes).
  ModelBuilder& output(const std::string& name, int rank) {
    auto* o = graph().add_output();
    o->set_name(name);
    auto* t = o->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    for (int i = 0; i < rank; ++i) shape->add_dim();
    return *this;
  }

  // A float32 initializer stored as raw_data (how exporters write it).
  ModelBuilder& init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    onnx::TensorProto& t = initializer(name, dims, onnx::TensorProto::FLOAT);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return *this;
  }

  // An int64 initializer in the typed field, e.g. a Reshape shape.
  ModelBuilder& initInt64(const std::string& name, const std::vector<int64_t>& dims,
                          const std::vector<int64_t>& v) {
    onnx::TensorProto& t = initializer(name, dims, onnx::TensorProto::INT64);
    for (int64_t x : v) t.add_int64_data(x);
    return *this;
  }

  onnx::TensorProto& initializer(const std::string& name, const std::vector<int64_t>& dims, int32_t elem) {
    onnx::TensorProto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    return *t;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    onnx::NodeProto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

inline void setInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

inline void setInt(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

inline void setFloat(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

inline void setString(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// Values 0, 1, 2, ... as floats: distinct weights make misplaced data visible.
inline std::vector<float> iota(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return v;
}

}  // namespace htvm::testing
