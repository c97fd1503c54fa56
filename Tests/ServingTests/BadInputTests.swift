import Foundation
import Hummingbird
import HummingbirdTesting
import RecData
import Serving
import XCTest

/// Bad input is answered with a 4xx and a JSON error naming the instance and the feature,
/// and the server keeps serving afterwards.
final class BadInputTests: XCTestCase {
    private let shop = ServingFixtures.shop

    /// The status and error message of a `/v1/score` request with `body`, and the status of
    /// a good request sent right after it on the same server.
    private func refusal(
        _ body: ByteBuffer, configure: (inout ServingConfiguration) -> Void = { _ in }
    ) async throws -> (status: HTTPResponse.Status, error: String) {
        let good = JSONBody.score(Array(shop.instances.prefix(2)))
        let (status, error, after) = try await withServer(shop, configure: configure) { client, _ in
            let response = try await client.execute(uri: "/v1/score", method: .post, body: body)
            let error = (try? JSONBody.error(response.body)) ?? String(buffer: response.body)
            let after = try await client.execute(uri: "/v1/score", method: .post, body: good)
            return (response.status, error, after.status)
        }
        XCTAssertEqual(after, .ok, "the server still serves after: \(error)")
        return (status, error)
    }

    private func instances(_ edit: (inout [String: RawValue]) -> Void, at index: Int = 2) -> [[String: RawValue]] {
        var instances = Array(shop.instances.prefix(4))
        edit(&instances[index])
        return instances
    }

    func testMalformedJSONIsA400() async throws {
        let (status, error) = try await refusal(JSONBody.text(#"{"instances": [{"user": "u1",}"#))
        XCTAssertEqual(status, .badRequest)
        XCTAssertTrue(error.hasPrefix("malformed JSON"), error)
    }

    func testABodyWithoutInstancesIsA400() async throws {
        for body in [#"[{"user": "u1"}]"#, #"{"rows": []}"#, #"{"instances": {"user": "u1"}}"#, ""] {
            let (status, error) = try await refusal(JSONBody.text(body))
            XCTAssertEqual(status, .badRequest, body)
            XCTAssertTrue(error.contains("instances") || error.contains("JSON"), error)
        }
    }

    func testAnInstanceThatIsNotAnObjectIsA422NamingIt() async throws {
        let (status, error) = try await refusal(JSONBody.text(#"{"instances": [{"user": "u1"}, 7]}"#))
        XCTAssertEqual(status, .unprocessableContent)
        XCTAssertEqual(error, "instance 1: expected an object of feature values, found a number")
    }

    func testAValueOfTheWrongTypeIsA422NamingInstanceAndFeature() async throws {
        for value in [#"{"x": 1}"#, "true", #"[1, "a", null]"#, "1e999"] {
            let body = #"{"instances": [{"user": "u1"}, {"user": "u2", "age": \#(value)}]}"#
            let (status, error) = try await refusal(JSONBody.text(body))
            XCTAssertEqual(status, .unprocessableContent, value)
            XCTAssertTrue(error.hasPrefix("instance 1: feature 'age': expected"), error)
        }
    }

    func testANumericFeatureGivenTextIsA422() async throws {
        let (status, error) = try await refusal(JSONBody.score(instances { $0["price"] = .string("cheap") }))
        XCTAssertEqual(status, .unprocessableContent)
        XCTAssertEqual(error, "instance 2: feature 'price': expected a finite number (magnitude at most 3.4e38), found 'cheap'")
    }

    func testNonFiniteNumbersAreA422() async throws {
        for text in ["NaN", "inf", "-Infinity", "1e999", "1e39", "-"] {
            let (status, error) = try await refusal(JSONBody.score(instances { $0["age"] = .string(text) }))
            XCTAssertEqual(status, .unprocessableContent, text)
            XCTAssertEqual(error, "instance 2: feature 'age': expected a finite number (magnitude at most 3.4e38), found '\(text)'")
        }
    }

    func testAnEmptyOrNullNumberIsMissingAndScoredWithTheTrainingMean() async throws {
        let empty = instances { $0["age"] = .string("") }
        let null = instances { $0["age"] = .missing }
        let absent = instances { $0["age"] = nil }
        let tasks = shop.tasks
        let scores = try await withServer(shop) { client, _ in
            var scores: [[Float]] = []
            for body in [empty, null, absent] {
                let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(body))
                XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                scores.append(try JSONBody.scores(response.body, tasks: tasks))
            }
            return scores
        }
        XCTAssertEqual(scores[0], scores[1])
        XCTAssertEqual(scores[0], scores[2])
    }

    func testAFiniteNumberBeyondFloatIsA422() async throws {
        let (status, error) = try await refusal(JSONBody.score(instances { $0["price"] = .number(1e300) }))
        XCTAssertEqual(status, .unprocessableContent)
        XCTAssertEqual(error, "instance 2: feature 'price': expected a finite number (magnitude at most 3.4e38), found 1e+300")
    }

    func testUnknownFeaturesAreRejectedOrIgnoredAsConfigured() async throws {
        let withExtra = instances { $0["colour"] = .string("red") }
        let (status, error) = try await refusal(JSONBody.score(withExtra))
        XCTAssertEqual(status, .unprocessableContent)
        XCTAssertTrue(error.hasPrefix("instance 2: unknown feature 'colour'"), error)

        let (ignored, plain) = try await withServer(shop, configure: { $0.unknownFields = .ignore }) { client, _ in
            let ignored = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(withExtra))
            let plain = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(Array(ServingFixtures.shop.instances.prefix(4))))
            XCTAssertEqual(ignored.status, .ok)
            return (try JSONBody.scores(ignored.body, tasks: ServingFixtures.shop.tasks), try JSONBody.scores(plain.body, tasks: ServingFixtures.shop.tasks))
        }
        XCTAssertEqual(ignored, plain)
    }

    func testAnOversizedBodyIsA413() async throws {
        let big = JSONBody.score(Array(repeating: shop.instances[0], count: 400))
        let (status, error) = try await refusal(big) { $0.maxBodyBytes = 4096 }
        XCTAssertEqual(status, .contentTooLarge)
        XCTAssertTrue(error.contains("limit of 4096"), error)
    }

    func testTooManyInstancesIsA413() async throws {
        let (status, error) = try await refusal(JSONBody.score(Array(repeating: shop.instances[0], count: 11))) { $0.maxInstances = 10 }
        XCTAssertEqual(status, .contentTooLarge)
        XCTAssertEqual(error, "11 instances, more than the limit of 10 per request")
    }

    func testAnIdOutsideASyntheticVocabularyIsA422() async throws {
        let fixture = ServingFixtures.synthetic
        var instance = fixture.instances[0]
        let field = fixture.dataset.schema.categorical[0]
        instance[field.name] = .number(Double(field.vocabularySize))
        let body = JSONBody.score([fixture.instances[1], instance])
        let (status, error) = try await withServer(fixture) { client, _ in
            let response = try await client.execute(uri: "/v1/score", method: .post, body: body)
            return (response.status, try JSONBody.error(response.body))
        }
        XCTAssertEqual(status, .unprocessableContent)
        XCTAssertTrue(error.hasPrefix("instance 1: feature '\(field.name)': expected an id in 0..<"), error)
    }

    func testOverLongSequencesAreTruncatedUnseenIdsShareTheOOVRowAndMissingFieldsTakeDefaults() async throws {
        let base = shop.instances[0]
        var long = base, truncated = base
        long["history"] = .list(["i1", "i2", "i3", "i4", "i5", "i6", "i7"])
        truncated["history"] = .list(["i4", "i5", "i6", "i7"])
        var unseen = base, otherUnseen = base
        unseen["item"] = .string("never-seen")
        otherUnseen["item"] = .string("also-never-seen")
        var absent = base, null = base, marker = base
        absent["price"] = nil
        null["price"] = .missing
        marker["price"] = .string("?")
        let rows = [long, truncated, unseen, otherUnseen, absent, null, marker]
        let scores = try await withServer(shop) { client, _ in
            let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(rows))
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            return try JSONBody.scores(response.body, tasks: ServingFixtures.shop.tasks)
        }
        let row = { (i: Int) in Array(scores[i * 2..<i * 2 + 2]) }
        XCTAssertEqual(row(0), row(1), "only the newest maxLength items count")
        XCTAssertEqual(row(2), row(3), "every unseen id is the OOV id")
        XCTAssertEqual(row(4), row(5), "an absent feature is a missing one")
        XCTAssertEqual(row(4), row(6), "the schema's missing marker is a missing value")
        XCTAssertEqual(scores, try ServingFixtures.predicted(rows, checkpoint: shop.run))
    }
}
