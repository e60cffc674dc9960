// frontend/onnx
