// The types of the `require` condition: TypeScript code compiled to CommonJS sees this message instead of the API.
declare const esmOnly: "This package is an ES module: load it with `import`, or run Node.js 20.19+ / 22.12+ (require(esm)).";
export = esmOnly;
