import ArabicText
import Foundation

/// The kinds of file Marsad reads, by file-name extension.
public enum ArticleFormat: String, Sendable, CaseIterable {
    /// `.txt`, `.text` or no extension: one article as lines of text.
    case text
    /// `.html`, `.htm`: one page; the article is extracted from its main content.
    case html
    /// `.json`: one article object.
    case json
    /// `.jsonl`, `.ndjson`: one article object per line.
    case jsonl

    /// The format of a file named `name`, or `nil` when Marsad does not read such files.
    public init?(fileName name: String) {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let ext = base.contains(".") && !base.hasPrefix(".") ? String(base.split(separator: ".").last ?? "").lowercased() : ""
        switch ext {
        case "", "txt", "text": self = .text
        case "html", "htm": self = .html
        case "json": self = .json
        case "jsonl", "ndjson": self = .jsonl
        default: return nil
        }
    }

    /// The extension of a file name, lower-cased, with its dot (`""` when there is none).
    public static func dottedExtension(of name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard base.contains("."), !base.hasPrefix("."), let ext = base.split(separator: ".").last else { return "" }
        return "." + ext.lowercased()
    }
}

/// One line of a `.jsonl` file: its article, or why it cannot be one.
public struct ArticleLine: Sendable {
    /// 1-based line number in the file.
    public let line: Int
    public let result: Result<ParsedArticle, ParseFailure>
    /// The line's own bytes, for quarantine.
    public let bytes: [UInt8]
}

/// Parses any accepted file into articles: text directly, HTML through the extractor, JSON
/// through its keys; all end in the same line parser, so boilerplate, dates and outlets are
/// found the same way whatever the format.
public struct ArticleParser: Sendable {
    public let lines: TextArticleParser

    public init(lines: TextArticleParser) {
        self.lines = lines
    }

    /// Parses a single-article file (`text`, `html`, `json`).
    public func parse(bytes: [UInt8], format: ArticleFormat, reference: Int?) throws(ParseFailure) -> ParsedArticle {
        switch format {
        case .text:
            return try lines.parse(bytes: bytes, reference: reference)
        case .html:
            let (text, encoding) = try TextDecoding.decode(bytes)
            return try parse(html: text, encoding: encoding, reference: reference)
        case .json:
            let (text, encoding) = try TextDecoding.decode(bytes)
            return try parse(json: Data(text.utf8), encoding: encoding, reference: reference)
        case .jsonl:
            throw .badJSON("a .jsonl file holds many articles; read it with parseLines")
        }
    }

    /// Parses every line of a `.jsonl` file; blank lines are skipped. The whole file fails only
    /// when it is not text at all.
    public func parseLines(bytes: [UInt8], reference: Int?) throws(ParseFailure) -> [ArticleLine] {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw .empty }
        if body.contains(0) { throw .binary }
        var results: [ArticleLine] = []
        var number = 0
        for slice in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let lineBytes = Array(slice.last == 0x0D ? slice.dropLast() : slice)
            if lineBytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let result: Result<ParsedArticle, ParseFailure>
            do throws(ParseFailure) {
                guard let text = String(validating: lineBytes, as: UTF8.self) else {
                    throw .undecodable("invalid UTF-8 at byte \(TextDecoding.firstInvalidUTF8Offset(lineBytes)) of the line")
                }
                result = .success(try parse(json: Data(text.utf8), encoding: "utf-8", reference: reference))
            } catch {
                result = .failure(error)
            }
            results.append(ArticleLine(line: number, result: result, bytes: lineBytes))
        }
        return results
    }

    /// Parses an HTML page.
    public func parse(html: String, encoding: String, reference: Int?) throws(ParseFailure) -> ParsedArticle {
        let page = HTMLArticleExtractor.extract(html)
        var hints = ArticleHints(url: page.url)
        hints.title = page.title.flatMap { $0.isEmpty ? nil : $0 }
        if let raw = page.published, let date = DateReader.metadataDate(raw) {
            hints.published = PublishedDate(date: date.date, basis: .metadata, text: raw)
        } else if let raw = page.publishedText, let date = DateReader.dateLine(raw, reference: reference) {
            hints.published = PublishedDate(date: date.date, basis: date.basis, text: raw)
        }
        if let site = page.siteName, !site.isEmpty { hints.outlet = Outlet(name: site, basis: .metadata, text: site) }
        var texts: [String] = []
        for block in page.blocks {
            if block.kind == .heading { hints.headingLines.insert(texts.count) }
            texts.append(block.text)
        }
        if texts.isEmpty && hints.title == nil { throw .noTitle }
        return try lines.parse(lines: texts, encoding: encoding, reference: reference, hints: hints)
    }

    static let titleKeys = ["title", "headline", "name", "subject"]
    static let bodyKeys = ["body", "content", "text", "article", "articleBody", "article_body", "body_text", "story", "description"]
    static let paragraphKeys = ["paragraphs", "body_paragraphs", "blocks"]
    static let dateKeys = [
        "published", "published_at", "publishedAt", "datePublished", "date_published", "pubDate", "publish_date", "publication_date",
        "date", "created_at", "createdAt", "time", "timestamp",
    ]
    static let outletKeys = ["outlet", "source", "site_name", "siteName", "site", "publisher", "source_name", "agency", "media"]
    static let urlKeys = ["url", "link", "canonical_url", "canonicalUrl", "permalink"]

    /// Parses one JSON article object.
    public func parse(json data: Data, encoding: String, reference: Int?) throws(ParseFailure) -> ParsedArticle {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw .badJSON("not valid JSON (\(Self.describe(error)))")
        }
        guard var object = parsed as? [String: Any] else { throw .badJSON("the top level is not an object") }
        // Exports that wrap the article: {"article": {…}}, {"data": {…}}.
        if Self.firstString(object, Self.titleKeys) == nil {
            for wrapper in ["article", "data", "item", "post", "story"] {
                if let inner = Self.value(object, [wrapper]) as? [String: Any] {
                    object = inner
                    break
                }
            }
        }
        var hints = ArticleHints()
        hints.title = Self.firstString(object, Self.titleKeys).map(Self.plainText)
        hints.url = Self.firstString(object, Self.urlKeys)
        if let raw = Self.firstString(object, Self.dateKeys),
            let date = DateReader.metadataDate(raw) ?? DateReader.dateLine(raw, reference: reference)
        {
            hints.published = PublishedDate(date: date.date, basis: .metadata, text: raw)
        } else if let seconds = Self.firstNumber(object, Self.dateKeys), seconds.isFinite, seconds > 100_000_000, seconds < 1e15 {
            // Unix seconds, or milliseconds when that large; a year outside 1900–2100 (as for dates
            // in text) is no publication date.
            let unix = seconds > 100_000_000_000 ? Int(seconds / 1000) : Int(seconds)
            let date = CalendarDay(unixSeconds: unix).writtenDate
            if (1900...2100).contains(date.year) {
                hints.published = PublishedDate(date: date, basis: .metadata, text: String(Int(seconds)))
            }
        }
        for key in Self.outletKeys {
            let found = Self.value(object, [key])
            if let name = found as? String, !name.isEmpty {
                hints.outlet = Outlet(name: name, basis: .metadata, text: name)
                break
            }
            if let nested = found as? [String: Any], let name = nested["name"] as? String, !name.isEmpty {
                hints.outlet = Outlet(name: name, basis: .metadata, text: name)
                break
            }
        }
        var texts: [String] = []
        if let list = Self.paragraphKeys.lazy.compactMap({ Self.value(object, [$0]) as? [Any] }).first {
            texts = list.compactMap { ($0 as? String) ?? (($0 as? [String: Any])?["text"] as? String) }.map(Self.plainText)
        } else if let body = Self.firstString(object, Self.bodyKeys) {
            if body.contains("</p>") || body.contains("<br") || body.contains("<p>") || body.contains("</div>") {
                let page = HTMLArticleExtractor.extract("<html><body><article>" + body + "</article></body></html>")
                for block in page.blocks {
                    if block.kind == .heading { hints.headingLines.insert(texts.count) }
                    texts.append(block.text)
                }
            } else {
                texts = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                    .map { $0.trimmingWhitespace() }
            }
        } else {
            throw .badJSON("no body: expected one of \(Self.bodyKeys.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")) or \"paragraphs\"")
        }
        if hints.title == nil && texts.allSatisfy(\.isEmpty) { throw .badJSON("no \"title\" and an empty body") }
        return try lines.parse(lines: texts, encoding: encoding, reference: reference, hints: hints)
    }

    /// A key as compared: lower-case letters and digits only («PublishDate», «publish_date» and
    /// «publishDate» are one).
    static func keyForm(_ key: String) -> String { String(key.lowercased().filter { $0.isLetter || $0.isNumber }) }

    /// The value of the first of `keys` the object has, compared in key form; failing that, of a
    /// key that ends with one of them after a prefix such as «news_» («news_title»), for keys
    /// of at least four letters.
    static func value(_ object: [String: Any], _ keys: [String]) -> Any? {
        let forms = Dictionary(object.map { (keyForm($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
        for key in keys { if let found = forms[keyForm(key)] { return found } }
        for key in keys where keyForm(key).count >= 4 && !suffixless.contains(keyForm(key)) {
            let wanted = keyForm(key)
            for (form, found) in forms.sorted(by: { $0.key < $1.key }) where form.hasSuffix(wanted) && form.count <= wanted.count + 8 {
                return found
            }
        }
        return nil
    }

    /// Keys too generic to be matched at the end of a longer key («category_name»).
    static let suffixless: Set<String> = ["name", "text", "site", "time", "media", "story", "article", "subject", "agency"]

    static func firstString(_ object: [String: Any], _ keys: [String]) -> String? {
        for key in keys {
            if let text = value(object, [key]) as? String {
                let trimmed = text.trimmingWhitespace()
                if !trimmed.isEmpty { return trimmed }
            }
        }
        return nil
    }

    static func firstNumber(_ object: [String: Any], _ keys: [String]) -> Double? {
        for key in keys {
            if let number = value(object, [key]) as? NSNumber, !(number is Bool) { return number.doubleValue }
        }
        return nil
    }

    /// A JSON string that may hold inline markup or entities: its text.
    static func plainText(_ text: String) -> String {
        guard text.contains("<") || text.contains("&") else { return text }
        let page = HTMLArticleExtractor.extract("<html><body><article><p>" + text + "</p></article></body></html>")
        return page.blocks.map(\.text).joined(separator: " ").trimmingWhitespace()
    }

    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        if let range = text.range(of: "NSDebugDescription=") {
            return String(text[range.upperBound...].prefix(120).split(separator: ",").first ?? "")
        }
        return String(text.prefix(120))
    }
}
