/// Inverted dropout.
extension Tensor {
    /// Zeroes each element with probability `p` and scales the others by `1/(1−p)`;
    /// returns `self` unchanged when `p` is 0.
    public func dropout(_ p: Float, generator: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        if p == 0 { return self }
        let keep = Tensor.uninitialized(shape)
        let scale = 1 / (1 - p)
        for i in 0..<count { keep.pointer[i] = generator.nextUniform() < p ? 0 : scale }
        return Tensor.result(self.elementwiseProduct(keep), op: "dropout", inputs: [self]) { [self, keep] out in
            let (g, gx) = (out.grad!.pointer, gradBuffer())
            zipKernel(g, keep.pointer, g, count) { $0 * $1 }
            accumulate(g, into: gx, count)
        }
    }

    /// The elementwise product of equal-shaped tensors, outside the graph.
    private func elementwiseProduct(_ other: Tensor) -> Tensor {
        let out = Tensor.uninitialized(shape)
        zipKernel(pointer, other.pointer, out.pointer, count) { $0 * $1 }
        return out
    }
}
