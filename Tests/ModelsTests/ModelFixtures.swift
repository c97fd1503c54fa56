import Models
import NN
import Tensor

/// A tiny layout with every kind of input: two categorical fields (the second is the
/// candidate item), one numeric field, two behaviour sequences over the item vocabulary,
/// and three tasks.
let tinyLayout = FeatureLayout(
    categorical: [.init(name: "user", vocabularySize: 5), .init(name: "item", vocabularySize: 7)],
    numeric: ["price"],
    sequences: [.init(name: "clicks", behaviour: "click", length: 4, vocabularyField: 1),
                .init(name: "buys", behaviour: "buy", length: 3, vocabularyField: 1)],
    targetItemField: 1,
    tasks: [.init(name: "click"), .init(name: "like"), .init(name: "buy")])

/// ``tinyLayout`` with two funnel tasks (click, then clicked and purchased), as ESMM needs.
let tinyFunnelLayout: FeatureLayout = {
    var layout = tinyLayout
    layout.tasks = [.init(name: "click"), .init(name: "buy")]
    return layout
}()

/// The tiny layout model `config` is tested on: the funnel layout for ESMM.
func tinyLayout(for config: ModelConfig) -> FeatureLayout {
    config.model == "esmm" ? tinyFunnelLayout : tinyLayout
}

/// A batch for ``tinyLayout`` with padding, including an empty sequence.
func tinyBatch(size: Int = 6, seed: UInt64 = 1) -> ModelBatch {
    var rng = RandomGenerator(seed: seed)
    var categorical: [Int32] = []
    for _ in 0..<size { categorical += [Int32(rng.nextInt(below: 5)), Int32(1 + rng.nextInt(below: 6))] }
    func sequence(length: Int) -> [Int32] {
        (0..<size).flatMap { row -> [Int32] in
            let real = row == 0 ? 0 : 1 + rng.nextInt(below: length)   // row 0 is empty
            return (0..<length).map { $0 < length - real ? 0 : Int32(1 + rng.nextInt(below: 6)) }
        }
    }
    let numeric = Tensor(shape: [size, 1], values: (0..<size).map { _ in rng.nextUniform() })
    return ModelBatch(size: size, categorical: categorical, numeric: numeric,
                      sequences: [sequence(length: 4), sequence(length: 3)], paddedLengths: [4, 3])
}

/// Random 0/1 labels for ``tinyBatch(size:seed:)``, `[size, tasks]`.
func tinyLabels(size: Int = 6, tasks: Int = 3, seed: UInt64 = 2) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: [size, tasks], values: (0..<(size * tasks)).map { _ in Float(rng.nextInt(below: 2)) })
}

/// Small widths so that gradient checks stay fast, and smooth activations so that finite
/// differences never straddle a kink.
func tinyConfig(_ model: String, backbone: String = "towers") -> ModelConfig {
    var c = ModelConfig()
    c.activation = .tanh
    c.model = model
    c.backbone = backbone
    c.embeddingDimension = 4
    c.bottomHidden = [6]
    c.expertHidden = [5, 4]
    c.expertCount = 3
    c.towerHidden = [3]
    c.feedForwardHidden = 6
    c.conditionDimension = 3
    c.hypernetworkHidden = [5]
    c.levels = 2
    return c
}

/// Every model and DTRN variant the zoo builds, by a readable name.
let allTinyConfigs: [(String, ModelConfig)] = {
    var configs = ModelZoo.entries.filter { $0.name != "dtrn" }.map { ($0.name, tinyConfig($0.name)) }
    for backbone in ModelZoo.dtrnBackbones { configs.append(("dtrn+\(backbone)", tinyConfig("dtrn", backbone: backbone))) }
    var noTIM = tinyConfig("dtrn"); noTIM.taskSpecificInterest = false
    var noTRM = tinyConfig("dtrn"); noTRM.representationRefinement = false
    var separate = tinyConfig("dtrn"); separate.separateEncoders = true
    var meanPooling = tinyConfig("dtrn"); meanPooling.pooling = .mean
    configs += [("dtrn-no-tim", noTIM), ("dtrn-no-trm", noTRM), ("dtrn-separate", separate), ("dtrn-mean-pooling", meanPooling)]
    return configs
}()
