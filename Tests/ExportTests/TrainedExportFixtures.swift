import Foundation
import RecData
import Tensor

/// A dataset to train on briefly and the raw rows, as JSON Lines, to score with the result:
/// rows of its test split plus awkward ones (missing, unseen, padded or over-long values).
struct TrainedExportData {
    /// The readable name in failure messages.
    let name: String
    /// The dataset trained on.
    let dataset: EncodedDataset
    /// The synthetic generator's settings, for synthetic data.
    let synthetic: SyntheticConfig?
    /// One JSON object per line, as `dtrn predict` reads a .jsonl file.
    let rows: [String]

    /// Tiny synthetic data (born encoded: ids and numbers) with `tasks` tasks and three
    /// behaviour sequences of length 5.
    static func synthetic(tasks: Int) throws -> TrainedExportData {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (240, 60, 30)
        (c.users, c.items, c.sequenceLength, c.tasks) = (30, 40, 5, tasks)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        let dataset = try SyntheticGenerator(config: c).generate().encoded()
        let schema = dataset.schema, split = dataset.test
        var rows = (0..<20).map { row -> String in
            var values: [String: Any] = [:]
            for (i, field) in schema.categorical.enumerated() {
                values[field.name] = Int(split.categorical.array[row * schema.categorical.count + i])
            }
            for (i, field) in schema.numeric.enumerated() {
                values[field.name] = Double(split.numeric.array[row * schema.numeric.count + i])
            }
            for (s, field) in schema.sequences.enumerated() {
                values[field.name] = split.sequences[s].items(ofRow: row).map { String($0) }
            }
            return json(values)
        }
        // Ids as text, numbers as text, nulls, empty and over-long sequences, lists of numbers.
        let ids = { (field: DatasetSchema.SequenceField, count: Int) in (0..<count).map { 1 + $0 % (field.vocabularySize - 1) } }
        var asText: [String: Any] = [:], overLong: [String: Any] = [:], numbers: [String: Any] = [:]
        for field in schema.categorical {
            asText[field.name] = String(field.vocabularySize - 1)
            overLong[field.name] = NSNull()
            numbers[field.name] = 1.0
        }
        for field in schema.numeric {
            asText[field.name] = "-0.75"
            overLong[field.name] = NSNull()
            numbers[field.name] = 1e3
        }
        for (s, field) in schema.sequences.enumerated() {
            asText[field.name] = ids(field, 2).map { String($0) }
            overLong[field.name] = s == 0 ? [String]() : ids(field, field.maxLength + 3).map { String($0) }
            numbers[field.name] = ids(field, 3)
        }
        rows += ["{}", json(asText), json(overLong), json(numbers)]
        return TrainedExportData(name: "synthetic", dataset: dataset, synthetic: c, rows: rows)
    }

    /// A Census-like CSV (values after ", " as in the UCI files, "?" missing, a code-valued
    /// field, four numeric transforms, a `|`-separated job history sharing the occupation
    /// vocabulary, a rare occupation below `minCount`) ingested into `folder`.
    static func censusLike(in folder: URL) throws -> TrainedExportData {
        let schema = try DataSchema.parse("""
            name: census-like
            format: {missing: ["?", ""], trimWhitespace: true}
            features:
              - {name: age, kind: numeric, transform: standardize}
              - {name: hours_per_week, kind: numeric, transform: min-max}
              - {name: capital_gains, kind: numeric, transform: log1p}
              - {name: weeks_worked, kind: numeric, transform: none}
              - {name: education, kind: categorical}
              - {name: occupation, kind: categorical, minCount: 2}
              - {name: industry_code, kind: categorical}
              - {name: race, kind: categorical}
              - {name: past_occupations, kind: sequence, separator: "|", maxLength: 3, behaviour: job, vocabulary: occupation}
            labels:
              - {name: income, kind: binary, column: income, positive: ["50000+."]}
              - {name: never_married, kind: binary, column: marital, positive: ["Never married"]}
            """, source: "census-like.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var testLines: [[String]] = []
        let inputs = try [("train", 300, SplitName.train), ("validation", 60, .validation), ("test", 30, .test)].map { name, count, split in
            let (text, lines) = censusCSV(rows: count, seed: UInt64(count), rareOccupation: split == .train)
            if split == .test { testLines = lines }
            let path = folder.appendingPathComponent("\(name).csv").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return IngestInput(path: path, assignment: .whole(split))
        }
        let dataset = try DatasetStore.openOrIngest(schema: schema, inputs: inputs,
                                                    directory: folder.appendingPathComponent("store").path).dataset
        var rows = testLines.prefix(16).map { values in json(Dictionary(uniqueKeysWithValues: zip(censusHeader, values))) }
        rows += [
            #"{"education": "Astronaut", "occupation": " Rare-job", "industry_code": 33, "race": "?", "age": "?", "hours_per_week": 150, "capital_gains": -5, "weeks_worked": " 12 ", "past_occupations": " Sales | ? |Tech-support||Exec-managerial| Unknown-job"}"#,
            "{}",
            #"{"education": "  Masters\t", "occupation": null, "industry_code": "42", "race": "", "age": 30.5, "hours_per_week": "40", "capital_gains": "1e3", "weeks_worked": null, "past_occupations": ["Sales", " Craft-repair ", "?", "Nobody"]}"#,
            #"{"past_occupations": "", "industry_code": 4.0, "age": "+41.", "capital_gains": ".5", "hours_per_week": " ? "}"#,
            #"{"past_occupations": "Sales|Sales|Sales|Sales|Tech-support|Exec-managerial|Adm-clerical", "race": "White", "weeks_worked": "-3e1"}"#,
            #"{"past_occupations": 7, "industry_code": 0, "education": 12, "occupation": "sales"}"#,
        ]
        return TrainedExportData(name: "census-like", dataset: dataset, synthetic: nil, rows: rows)
    }

    private static let censusHeader = ["age", "education", "occupation", "industry_code", "race", "hours_per_week",
                                       "capital_gains", "weeks_worked", "past_occupations", "income", "marital"]

    /// `rows` Census-like CSV rows and their fields as written; with `rareOccupation`, one row
    /// has an occupation seen only there.
    private static func censusCSV(rows: Int, seed: UInt64, rareOccupation: Bool) -> (String, [[String]]) {
        var random = RandomGenerator(seed: seed)
        func pick(_ values: [String]) -> String { values[random.nextInt(below: values.count)] }
        let occupations = ["Sales", "Tech-support", "Craft-repair", "Exec-managerial", "Adm-clerical"]
        var text = censusHeader.joined(separator: ",") + "\n"
        var lines: [[String]] = []
        for row in 0..<rows {
            let age = random.nextInt(below: 10) == 0 ? "?" : String(17 + random.nextInt(below: 74))
            let education = pick(["Bachelors", "HS-grad", "Masters", "Doctorate", "Some-college"])
            let occupation = rareOccupation && row == 7 ? "Rare-job" : pick(occupations)
            let history = (0..<random.nextInt(below: 6)).map { _ in pick(occupations) }.joined(separator: "|")
            let gains = random.nextInt(below: 4) == 0 ? String(random.nextInt(below: 99_999)) : "0"
            let income = (education == "Masters" || education == "Doctorate") && random.nextInt(below: 3) > 0 ? "50000+." : "- 50000."
            let marital = random.nextInt(below: 3) == 0 ? "Never married" : "Married-civilian spouse present"
            let values = [age, education, occupation, pick(["0", "33", "4", "42"]), pick(["White", "Black", "Asian-Pac-Islander", "?"]),
                          String(1 + random.nextInt(below: 99)), gains, String(random.nextInt(below: 53)), history, income, marital]
                .map { " " + $0 }
            lines.append(values)
            text += values.joined(separator: ",") + "\n"
        }
        return (text, lines)
    }

    private static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
