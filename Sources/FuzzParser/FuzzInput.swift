import ArabicText
import ArticleParsing
import EntityLinking
import Foundation
import MarsadConfig
import MarsadRecord

/// One fuzz input run through the record builder the way ingest runs a dropped file, and each
/// record's search forms built the way the archive builds them.
///
/// The first byte picks the format (`byte % 4`: 0 `.txt`, 1 `.html`, 2 `.json`, 3 `.jsonl`); the
/// rest is the file. `scripts/fuzz.sh` seeds the corpus with real articles prefixed that way.
enum FuzzInput {
    static let extensions = ["txt", "html", "json", "jsonl"]

    /// What one input did. Parse failures are expected; anything else that is not `.records` is a bug.
    enum Outcome: Equatable {
        /// Records built (for `.jsonl`, the good lines; `failed` bad lines quarantined alone).
        case records(Int, failed: Int)
        /// The whole file refused with this `ParseFailure` code: what ingest quarantines.
        case refused(String)
        /// A record that `JSONEncoder` cannot write or that does not read back: ingest would stop
        /// (processBatch throws) or consumers could not decode it.
        case unencodable(String)
        /// Search forms that differ when built with the memo the archive keeps across articles
        /// from those built with a fresh one: the archive would index the article wrongly.
        case misindexed

        var isBug: Bool {
            switch self {
            case .unencodable, .misindexed: true
            default: false
            }
        }

        var summary: String {
            switch self {
            case .records(let count, let failed): failed == 0 ? "records \(count)" : "records \(count), bad lines \(failed)"
            case .refused(let code): "refused \(code)"
            case .unencodable(let detail): "UNENCODABLE \(detail)"
            case .misindexed: "MISINDEXED: search forms differ with a shared memo"
            }
        }
    }

    /// The file name and bytes an input stands for.
    static func file(for input: [UInt8]) -> (name: String, bytes: [UInt8]) {
        guard let first = input.first else { return ("fuzz.txt", []) }
        return ("fuzz." + extensions[Int(first % 4)], Array(input.dropFirst()))
    }

    /// A fixed reception time, so that relative dates resolve the same way on every run.
    static let receivedAt = Date(timeIntervalSince1970: 1_732_000_000)

    /// The archive's memo of search forms, kept across inputs as the archive keeps it across
    /// articles; small, so that it starts afresh often.
    static let searchForms = SearchFormsCache(capacity: 500)

    /// Builds the records of `bytes` named `name`, encodes each as ingest journals it and decodes
    /// it back as a consumer would, then builds its search forms as the archive would.
    static func run(name: String, bytes: [UInt8], builder: RecordBuilder) -> Outcome {
        let outcomes: [RecordOutcome]
        do throws(ParseFailure) {
            outcomes = try builder.records(for: SourceFile(name: name, bytes: bytes, receivedAt: receivedAt), now: receivedAt)
        } catch {
            return .refused(error.code)
        }
        var built = 0
        var failed = 0
        for outcome in outcomes {
            switch outcome.result {
            case .failure: failed += 1
            case .success(let record):
                do {
                    let data = record.jsonData()
                    let back = try ArticleRecord.decode(data)
                    guard back.id == record.id, back.title == record.title, back.paragraphs == record.paragraphs else {
                        return .unencodable("the record reads back different")
                    }
                } catch {
                    return .unencodable("\(error)")
                }
                let texts = [record.title] + record.paragraphs
                guard SearchDocument(texts, cache: searchForms) == SearchDocument(texts, cache: SearchFormsCache()) else { return .misindexed }
                built += 1
            }
        }
        return .records(built, failed: failed)
    }

    /// The builder over the repository's data files: `$MARSAD_DATA_DIR`, else `./config`, else
    /// the `config/` of the package whose build directory holds this executable (see `DataFiles`).
    static func loadBuilder() throws -> RecordBuilder {
        let markers = try BoilerplateMarkers.load(file: DataFiles.locate("boilerplate.toml", configured: nil))
        let gazetteer = try Gazetteer.load(file: DataFiles.locate("gazetteer.toml", configured: nil))
        let rules = try LinkingRules.load(file: DataFiles.locate("linking.toml", configured: nil))
        return RecordBuilder(
            parser: ArticleParser(lines: TextArticleParser(markers: markers, names: KnownNames(gazetteer: gazetteer))),
            linker: EntityLinker(gazetteer: gazetteer), rules: rules)
    }
}
