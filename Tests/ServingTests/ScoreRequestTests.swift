import Foundation
import RecData
@testable import Serving
import XCTest

/// The request reader yields what `JSONDecoder` gives `dtrn predict`, and refuses anything
/// else with an error, without crashing on any prefix or nesting.
final class ScoreRequestTests: XCTestCase {
    private func read(_ json: String) throws -> [[String: RawValue]] {
        try ScoreRequest.instances(in: Array(json.utf8))
    }

    private func decoded(_ json: String) throws -> [[String: RawValue]] {
        struct Body: Decodable { var instances: [[String: RawValue]] }
        return try JSONDecoder().decode(Body.self, from: Data(json.utf8)).instances
    }

    private func refusal(_ json: String) -> ServingError? {
        do {
            _ = try ScoreRequest.instances(in: Array(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    func testReadsWhatJSONDecoderReads() throws {
        let documents = [
            #"{"instances": []}"#,
            #"  {"model": {"a": [1, {"b": null}], "c": true}, "instances" : [ {} , {"a":"x"} ] }  "#,
            #"{"instances": [{"s": "tab\there \"quoted\" \\ \/ \u00e9 \ud83d\ude00 é", "e": ""}]}"#,
            #"{"instances": [{"n": -0, "m": 1.5e3, "big": 12345678901234567890, "tiny": 1E-7, "z": 0.1, "neg": -2.5E+2}]}"#,
            #"{"instances": [{"ids": [1, 2.0, 1e2, -3, 0.5], "words": ["a", "b"], "none": [], "x": null}]}"#,
            "{\"instances\":[{\"a\":\n\t\"b\"\r}]}",
        ]
        for json in documents {
            XCTAssertEqual(try read(json), try decoded(json), json)
        }
    }

    func testEveryTruncationIsRefusedWithoutCrashing() {
        let json = #"{"instances": [{"a": "x\u00e9", "b": [1, 2], "c": -1.5e-3, "d": null}, {"e": ["p", "q"]}]}"#
        for end in 0..<json.utf8.count {
            let prefix = String(decoding: Array(json.utf8)[..<end], as: UTF8.self)
            XCTAssertEqual(refusal(prefix)?.status, .badRequest, prefix)
        }
    }

    func testDeepNestingIsRefusedNotRecursedInto() {
        let deep = #"{"x": "# + String(repeating: "[", count: 100_000) + "}"
        XCTAssertEqual(refusal(deep)?.message, "malformed JSON at byte 69: nesting deeper than 64 levels")
    }

    func testMalformedJSONNamesTheByte() {
        XCTAssertEqual(refusal(#"{"instances": [{"a": 01}]}"#)?.message, "malformed JSON at byte 23: a malformed number")
        XCTAssertEqual(refusal(#"{"instances": [{"a": "x"} {"b": 1}]}"#)?.message, "malformed JSON at byte 26: expected ',' or ']'")
        XCTAssertEqual(refusal("{\"instances\": [{\"a\": \"line\nbreak\"}]}")?.message,
                       "malformed JSON at byte 26: a control character in a string")
        XCTAssertEqual(refusal(#"{"instances": [{"a": "\ud800"}]}"#)?.message, "malformed JSON at byte 28: a lone surrogate in a \\u escape")
        XCTAssertEqual(refusal(#"{"instances": []} x"#)?.message, "malformed JSON at byte 18: unexpected text after the JSON object")
        XCTAssertEqual(ScoreRequestTests.invalidUTF8()?.status, .badRequest)
    }

    private static func invalidUTF8() -> ServingError? {
        do {
            _ = try ScoreRequest.instances(in: Array(#"{"instances": [{"a": ""#.utf8) + [0xFF, 0xFE] + Array(#""}]}"#.utf8))
            return nil
        } catch {
            return error
        }
    }

    func testValuesOfTheWrongTypeNameTheInstanceAndFeature() {
        let cases = [
            (#"{"instances": [{}, {"a": {"b": 1}}]}"#, "instance 1: feature 'a': expected a string, a number, a list or null, found an object"),
            (#"{"instances": [{"a": true}]}"#, "instance 0: feature 'a': expected a string, a number, a list or null, found true"),
            (#"{"instances": [{"a": [1, "x"]}]}"#, "instance 0: feature 'a': expected a list of strings or of numbers, found both"),
            (#"{"instances": [{"a": ["x", null]}]}"#, "instance 0: feature 'a': expected a list of strings or of numbers, found null in the list"),
            (#"{"instances": [{"a": -1e400}]}"#, "instance 0: feature 'a': expected a finite number, found -1e400"),
            (#"{"instances": [{}, [1]]}"#, "instance 1: expected an object of feature values, found a list"),
        ]
        for (json, message) in cases {
            XCTAssertEqual(refusal(json), .invalidInstance(message), json)
        }
    }
}
