/// Why a file could not become a record. Each case names the reason for `failed/<name>.error.json`
/// and a hint a user can act on.
public enum ParseFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(size: Int, limit: Int)
    case binary
    case undecodable(String)
    case unsupportedType(String)
    case noTitle
    /// A `.json` article (or a `.jsonl` line) that is not a usable article object.
    case badJSON(String)

    /// A short stable code (`empty`, `too_large`, `binary`, `undecodable`, `unsupported_type`, `no_title`).
    public var code: String {
        switch self {
        case .empty: "empty"
        case .tooLarge: "too_large"
        case .binary: "binary"
        case .undecodable: "undecodable"
        case .unsupportedType: "unsupported_type"
        case .noTitle: "no_title"
        case .badJSON: "bad_json"
        }
    }

    public var description: String {
        switch self {
        case .empty: "the file is empty or holds only white space"
        case .tooLarge(let size, let limit): "the file has \(size) bytes, over the limit of \(limit)"
        case .binary: "the file holds binary data, not text"
        case .undecodable(let detail): "the file is not valid text: \(detail)"
        case .unsupportedType(let ext): "files of type \"\(ext)\" are not read"
        case .noTitle: "no line of the file can serve as a title"
        case .badJSON(let detail): "not a usable JSON article: \(detail)"
        }
    }

    public var hint: String {
        switch self {
        case .empty: "drop the article once it has been written in full"
        case .tooLarge: "raise [spool] max_file_bytes if such files are expected"
        case .binary: "only text articles are read; check what produced this file"
        case .undecodable: "save the article as UTF-8 (or UTF-16 with a byte-order mark, or Windows-1256)"
        case .unsupportedType: "drop .txt, .html, .htm, .json or .jsonl files"
        case .noTitle: "put the headline on a line of its own at the top"
        case .badJSON: "write one JSON object with \"title\" and \"body\" (or \"paragraphs\"); see docs/record.md"
        }
    }
}
