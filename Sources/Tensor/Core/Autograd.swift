/// The record of how a tensor was computed: its inputs and the function that
/// propagates the output's gradient back into them.
final class GradFunction {
    /// The op's name, for diagnostics.
    let name: String
    /// The tensors the op read.
    let inputs: [Tensor]
    /// Reads `output.grad` and accumulates into the gradients of `inputs` that require them.
    let backward: (_ output: Tensor) -> Void

    init(name: String, inputs: [Tensor], backward: @escaping (_ output: Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Control of gradient recording (the define-by-run tape).
public enum Autograd {
    @TaskLocal static var isRecording = true

    /// Whether ops currently record their backward functions.
    public static var isEnabled: Bool { isRecording }

    /// Runs `body` in inference mode: no op records anything, so no graph is kept alive.
    public static func inference<R>(_ body: () throws -> R) rethrows -> R {
        try $isRecording.withValue(false, operation: body)
    }
}

extension Tensor {
    /// Wraps an op's freshly computed result, attaching `backward` when recording and some
    /// input requires a gradient.
    static func result(
        _ output: Tensor, op name: String, inputs: [Tensor],
        backward: @escaping (_ output: Tensor) -> Void
    ) -> Tensor {
        if Autograd.isRecording && inputs.contains(where: { $0.requiresGrad }) {
            output.requiresGrad = true
            output.gradFunction = GradFunction(name: name, inputs: inputs, backward: backward)
        }
        return output
    }

    /// Whether this tensor is a leaf of the graph (a parameter or an input).
    public var isLeaf: Bool { gradFunction == nil }

    /// Back-propagates from this tensor, seeding its gradient with `seed` in every element
    /// (a one-element tensor is the usual case: a loss).
    ///
    /// Gradients accumulate into ``grad`` (or ``rowGrad``) of every leaf that requires one;
    /// the recorded graph is released afterwards, as are the gradients of intermediate results.
    public func backward(seed: Float = 1) {
        precondition(requiresGrad, "backward() on a tensor that does not require a gradient")
        var order = topologicalOrder()
        gradBuffer().update(repeating: seed, count: count)
        // Popping each node lets its output, and the inputs only it kept, go as soon as its
        // gradient has been passed down, rather than all at the end.
        while let node = order.popLast() {
            guard let fn = node.gradFunction, node.grad != nil else { continue }
            node.gradFunction = nil
            fn.backward(node)
            node.grad = nil
        }
    }

    /// The tensors of the graph below `self`, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            let inputs = node.gradFunction?.inputs ?? []
            if next < inputs.count {
                stack.append((node, next + 1))
                let child = inputs[next]
                if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
