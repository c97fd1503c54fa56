import Models
import NN

extension ONNXGraphBuilder {
    /// A zoo model's per-task scores (`[N, 1]` each) and whether they already are
    /// probabilities (ESMM, AITM) rather than logits.
    public func scores(_ model: MultiTaskModel, signature: ModelSignature) throws(ExportError) -> (outputs: [String], areProbabilities: Bool) {
        let tasks = model.layout.tasks.count
        switch model {
        case let baseline as BaselineModel:
            let x = sharedInput(baseline.input, signature: signature)
            return (try backbone(baseline.backbone, Array(repeating: x, count: tasks)), false)
        case let single as SingleTaskModel:
            return (zip(single.inputs, single.networks).map { input, network in
                mlp(network, sharedInput(input, signature: signature))
            }, false)
        case let dtrn as DTRNModel:
            let d = dtrn.embedder.dimension
            let e = embed(dtrn.embedder, signature: signature)
            let u = interests(dtrn.interests, e, tasks: tasks, width: d, lengths: model.layout.sequences.map(\.length))
            return (try backbone(dtrn.backbone, refine(dtrn.refinement, fields: e.fields, interests: u)), false)
        case let esmm as ESMMModel:
            let x = sharedInput(esmm.input, signature: signature)
            let click = sigmoid(mlp(esmm.clickTower, x))
            return ([click, mul(click, sigmoid(mlp(esmm.conversionTower, x)))], true)
        case let aitm as AITMModel:
            let x = sharedInput(aitm.input, signature: signature)
            var z = mlp(aitm.towers[0], x)
            var logits = [linear(aitm.heads[0], z)]
            for (t, transfer) in aitm.transfers.enumerated() {
                z = informationTransfer(transfer, previous: z, own: mlp(aitm.towers[t + 1], x))
                logits.append(linear(aitm.heads[t + 1], z))
            }
            return (logits.map { sigmoid($0) }, true)
        default:
            throw ExportError.unsupportedModule(String(describing: type(of: model)))
        }
    }

    /// The baselines' shared input `[N, (F + B)·d]`: fields plus one pooled interest per sequence.
    public func sharedInput(_ input: SharedBottomInput, signature: ModelSignature) -> String {
        let e = embed(input.embedder, signature: signature)
        let d = input.embedder.dimension
        let pooled = zip(e.sequences, e.masks).map { sequence, mask in
            pool(sequence, mask: mask, target: e.target, pooling: input.pooling, width: d)
        }
        return reshape(concat([e.fields] + pooled, axis: 1), [0, -1])
    }

    /// AITM's transfer into a task: attention over the carried-over `p = transfer(z_prev)` and
    /// the task's own `q`, `[N, d]` each.
    func informationTransfer(_ transfer: AITMModel.InformationTransfer, previous: String, own: String) -> String {
        let d = transfer.projection.weight.shape[0]
        let candidates = concat([unsqueeze(mlp(transfer.transfer, previous), axes: [1]), unsqueeze(own, axes: [1])], axis: 1)
        let h = linear(transfer.projection, candidates)
        let part = { (k: Int) in self.slice(h, axis: 2, (k * d)..<((k + 1) * d)) }
        let weights = softmax(mul(reduceSum(mul(part(0), part(1)), axes: [2], keepDims: false), scalar(1 / Float(d).squareRoot())))
        return reduceSum(mul(part(2), unsqueeze(weights, axes: [2])), axes: [1], keepDims: false)
    }
}
