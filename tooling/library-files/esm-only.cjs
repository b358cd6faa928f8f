// Where `require("<this package>")` lands on runtimes without require(esm): a clear error instead of a cryptic one.
const { name } = require("../package.json");
throw new Error(
  `${name} is an ES module: load it with \`import\` (or \`await import("${name}")\`), ` +
    "or run Node.js 20.19+ / 22.12+, whose require() loads ES modules.",
);
