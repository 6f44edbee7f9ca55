// Loaded into the highlighter's QJSEngine before highlight.js. Qt 6.4's JavaScript engine (V4)
// departs from the ECMAScript standard in ways highlight.js trips over; each shim below is
// installed only when the engine shows the fault, so a fixed Qt runs highlight.js untouched.
// `unicodeClasses` maps the Unicode properties highlight.js uses (L, XID_Start, XID_Continue)
// to the contents of a character class (BMP ranges written as \uXXXX), made by the C++ side.
(function (global, unicodeClasses) {
    "use strict";
    const NativeRegExp = global.RegExp;

    // RegExp.prototype.source puts a backslash before every "/", also one that already has
    // one: /\/>/.source is "\\/>", which matches a backslash. highlight.js builds its matchers
    // from .source, so every rule with "\/" in it broke (XML tags never closed).
    const sourceGetter = Object.getOwnPropertyDescriptor(NativeRegExp.prototype, "source").get;
    if (sourceGetter.call(/\//) !== "\\/") {
        Object.defineProperty(NativeRegExp.prototype, "source", {
            configurable: true,
            get: function source() {
                return sourceGetter.call(this).replace(/\\\//g, "/");
            }
        });
    }

    // The "u" flag: \p{...} is a syntax error, and a global search from lastIndex > 0 misses
    // matches. highlight.js needs "u" only for \p{L} and friends (Python, XML), so such
    // patterns get the property spelled out as ranges and lose the flag.
    let unicodeUsable = true;
    try {
        new NativeRegExp("\\p{L}", "u");
        const probe = new NativeRegExp("b", "gu");
        probe.lastIndex = 2;
        unicodeUsable = probe.exec("abab") !== null;
    } catch (e) {
        unicodeUsable = false;
    }
    if (!unicodeUsable) {
        const withoutProperties = function (pattern) {
            let out = "";
            let inClass = false;
            for (let i = 0; i < pattern.length; ++i) {
                const c = pattern[i];
                if (c === "\\") {
                    if (pattern.startsWith("\\p{", i)) {
                        const end = pattern.indexOf("}", i);
                        const ranges = unicodeClasses[pattern.slice(i + 3, end)];
                        if (end > 0 && typeof ranges === "string") {
                            out += inClass ? ranges : "[" + ranges + "]";
                            i = end;
                            continue;
                        }
                    }
                    out += pattern.substr(i, 2);
                    ++i;
                    continue;
                }
                if (c === "[")
                    inClass = true;
                else if (c === "]")
                    inClass = false;
                out += c;
            }
            return out;
        };
        const RegExp = function RegExp(pattern, flags) {
            if (typeof flags === "string" && flags.indexOf("u") >= 0) {
                pattern = withoutProperties(pattern instanceof NativeRegExp ? pattern.source
                                                                            : String(pattern));
                flags = flags.replace("u", "");
            }
            return flags === undefined ? new NativeRegExp(pattern) : new NativeRegExp(pattern, flags);
        };
        RegExp.prototype = NativeRegExp.prototype;
        global.RegExp = RegExp;
    }

    // Array.prototype.sort leaves an array that unshift() has grown unsorted, and it is not
    // stable. highlightAuto() sorts its candidates after unshift() and settles ties by their
    // order, so it answered "plain text", or a different language from one run to the next.
    const nativeSort = Array.prototype.sort;
    const grown = [3];
    grown.unshift(1);
    if (nativeSort.call(grown, function (a, b) { return b - a; })[0] !== 3) {
        const byString = function (a, b) {
            const x = String(a);
            const y = String(b);
            return x < y ? -1 : (x > y ? 1 : 0);
        };
        Object.defineProperty(Array.prototype, "sort", {
            configurable: true,
            writable: true,
            value: function sort(compare) {
                const order = compare || byString;
                const keyed = Array.prototype.map.call(this, function (value, index) {
                    return [value, index];
                });
                nativeSort.call(keyed, function (a, b) {
                    if (a[0] === undefined || b[0] === undefined) {
                        if (a[0] === b[0])
                            return a[1] - b[1];
                        return a[0] === undefined ? 1 : -1;
                    }
                    return order(a[0], b[0]) || a[1] - b[1];
                });
                for (let i = 0; i < keyed.length; ++i)
                    this[i] = keyed[i][0];
                return this;
            }
        });
    }

    // highlight.js reports through console; the engine has none.
    if (typeof global.console === "undefined") {
        const quiet = function () {};
        global.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet };
    }
})(this, __arborUnicodeClasses);
