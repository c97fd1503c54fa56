import Foundation
import Models
import Randomness
import RecData
import Training
import XCTest

/// Two tiny trained checkpoints, made once per test process:
///
/// - `shop`: MMoE on raw CSV rows (string ids, a standardised and a log-scaled number, a
///   `|`-separated click history sharing the item vocabulary), so requests carry raw values
///   that the checkpoint's vocabularies and transforms encode;
/// - `synthetic`: DTRN on the synthetic data, whose requests carry ids and numbers as they are.
enum ServingFixtures {
    /// A trained checkpoint and rows to score with it.
    struct Fixture: Sendable {
        /// The run folder (its best checkpoint is served).
        let run: URL
        /// The dataset trained on.
        let dataset: EncodedDataset
        /// Raw instances as a client sends them.
        let instances: [[String: RawValue]]
    }

    /// The fixtures' folder, removed when the test process exits.
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("serving-tests-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: ServingFixtures.root) }
        return root
    }()

    static let shop: Fixture = {
        let folder = root.appendingPathComponent("shop")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let schema = try! DataSchema.parse("""
            name: shop
            format: {trimWhitespace: true}
            features:
              - {name: user, kind: categorical}
              - {name: item, kind: categorical}
              - {name: price, kind: numeric, transform: standardize}
              - {name: age, kind: numeric, transform: log1p}
              - {name: history, kind: sequence, separator: "|", maxLength: 4, behaviour: click, vocabulary: item}
            labels:
              - {name: click, kind: binary, column: click}
              - {name: buy, kind: binary, column: buy}
            """, source: "shop.yaml")
        let inputs = [("train", 400, SplitName.train), ("validation", 100, .validation), ("test", 100, .test)].map { name, rows, split in
            let path = folder.appendingPathComponent("\(name).csv").path
            try! shopCSV(rows: rows, seed: UInt64(rows + name.count)).write(toFile: path, atomically: true, encoding: .utf8)
            return IngestInput(path: path, assignment: .whole(split))
        }
        let dataset = try! DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: folder.appendingPathComponent("store").path).dataset
        var model = smallModel()
        model.model = "mmoe"
        let run = train(dataset, model: model, name: "shop-run", synthetic: nil)
        var instances: [[String: RawValue]] = []
        var random = SplitMix64(seed: 99)
        for _ in 0..<40 {
            let history = (0..<Int(random.next() % 7)).map { _ in "i\(random.next() % 30)" }
            instances.append([
                "user": .string("u\(random.next() % 25)"), "item": .string("i\(random.next() % 30)"),
                "price": .number(Double(random.next() % 1000) / 10), "age": .number(Double(18 + random.next() % 60)),
                "history": .list(history),
            ])
        }
        return Fixture(run: run, dataset: dataset, instances: instances)
    }()

    static let synthetic: Fixture = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (500, 200, 100)
        (c.users, c.items, c.sequenceLength) = (40, 60, 5)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        let dataset = try! SyntheticGenerator(config: c).generate().encoded()
        let run = train(dataset, model: smallModel(), name: "synthetic-run", synthetic: c)
        let split = dataset.test
        let schema = dataset.schema
        let instances = (0..<split.rowCount).map { row -> [String: RawValue] in
            var instance: [String: RawValue] = [:]
            for (i, field) in schema.categorical.enumerated() {
                instance[field.name] = .number(Double(split.categorical.array[row * schema.categorical.count + i]))
            }
            for (i, field) in schema.numeric.enumerated() {
                instance[field.name] = .number(Double(split.numeric.array[row * schema.numeric.count + i]))
            }
            for (s, field) in schema.sequences.enumerated() {
                instance[field.name] = .list(split.sequences[s].items(ofRow: row).map { String($0) })
            }
            return instance
        }
        return Fixture(run: run, dataset: dataset, instances: instances)
    }()

    /// What `dtrn predict` computes for `instances`: the checkpoint's row encoder and predictor
    /// over all rows in one batch.
    static func predicted(_ instances: [[String: RawValue]], checkpoint run: URL) throws -> [Float] {
        let folder = try RunDirectory.resolveCheckpoint(run.path)
        let saved = try Checkpoint.read(folder)
        let encoder = RowEncoder(schema: saved.schema, encoder: saved.encoder)
        let predictor = Predictor(model: try saved.loadModel(from: folder), schema: saved.schema)
        return predictor.predict(try instances.map(encoder.encode))
    }

    private static func smallModel() -> ModelConfig {
        var m = ModelConfig()
        m.embeddingDimension = 4
        (m.towerHidden, m.expertHidden, m.bottomHidden) = ([8], [8], [8])
        m.feedForwardHidden = 8
        m.expertCount = 2
        return m
    }

    private static func train(_ dataset: EncodedDataset, model: ModelConfig, name: String, synthetic: SyntheticConfig?) -> URL {
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience) = (1, 128, 0.01, 0)
        let run = root.appendingPathComponent(name)
        let trainer = try! Trainer(dataset: dataset, modelConfig: model, config: t, dataSource: name, synthetic: synthetic,
                                   run: RunDirectory(run), reporter: ProgressReporter(quiet: true))
        _ = try! trainer.fit()
        return run
    }

    /// A CSV of `rows` shop rows: 25 users, 30 items, prices, ages, histories and labels that
    /// depend on them a little; a space follows each comma, as in the UCI files.
    private static func shopCSV(rows: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var text = "user,item,price,age,history,click,buy\n"
        for _ in 0..<rows {
            let user = random.next() % 20, item = random.next() % 24
            let history = (0..<Int(random.next() % 6)).map { _ in "i\(random.next() % 24)" }.joined(separator: "|")
            let click = (user + item) % 3 == 0 || random.next() % 5 == 0 ? 1 : 0
            let buy = click == 1 && item % 2 == 0 ? 1 : 0
            text += "u\(user), i\(item), \(Double(random.next() % 1000) / 10), \(18 + random.next() % 60), \(history), \(click), \(buy)\n"
        }
        return text
    }
}
