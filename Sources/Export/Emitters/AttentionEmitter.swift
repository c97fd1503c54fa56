import Models
import NN

extension ONNXGraphBuilder {
    /// Multi-head self-attention over padded sequences `x: [N, L, d]` whose keys are restricted
    /// to the real positions of `mask: [N, L]`; what the packed Swift op gives at real positions.
    public func selfAttention(_ attention: MultiHeadAttention, _ x: String, mask: String, width d: Int) -> String {
        let heads = attention.heads, dh = d / heads
        let qkv = linear(attention.projection, x)
        let perHead = { (part: Int) -> String in
            self.transpose(self.reshape(self.slice(qkv, axis: 2, (part * d)..<((part + 1) * d)), [0, 0, heads, dh]), [0, 2, 1, 3])
        }
        let (q, k, v) = (perHead(0), perHead(1), perHead(2))
        let scores = mul(matmul(q, transpose(k, [0, 1, 3, 2])), scalar(1 / Float(dh).squareRoot()))
        let keyMask = unsqueeze(mask, axes: [1, 2])
        let context = matmul(maskedSoftmax(scores, mask: keyMask), v)
        return linear(attention.output, reshape(transpose(context, [0, 2, 1, 3]), [0, 0, d]))
    }

    /// The condition-independent residual `H + MHA(H)` of an interest encoder.
    public func attend(_ encoder: InterestEncoder, _ h: String, mask: String, width d: Int) -> String {
        add(h, selfAttention(encoder.attention, h, mask: mask, width: d))
    }

    /// An interest encoder's output for a residual: `LN1` with `(γ1, β1)`, the feed-forward
    /// network, `LN2` with `(γ2, β2)` (the four given as values broadcasting against `[…, d]`).
    public func finish(_ encoder: InterestEncoder, _ residual: String, norms: [String], width d: Int) -> String {
        let h1 = layerNorm(residual, width: d, gamma: norms[0], beta: norms[1])
        return layerNorm(add(h1, mlp(encoder.feedForward, h1)), width: d, gamma: norms[2], beta: norms[3])
    }
}
