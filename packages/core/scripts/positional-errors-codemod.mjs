// Migration aid for issue 18: rewrites positional constructor calls of the shared error kinds
// (`new DimensionMismatchError(op, what, expected, actual, scope?)`) into the options form
// (`new DimensionMismatchError({ operation: op, what, expected, actual, ...scope })`; scope 'linalg'
// when none was given, as the positional form defaulted). Usage: node positional-errors-codemod.mjs FILE...
// Packages that defined their own classes of these names (figures, experiments before issue 18) must not be passed.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../package.json', import.meta.url));
const ts = require('typescript');
const params = {
  DimensionMismatchError: ['operation', 'what', 'expected', 'actual'],
  NonFiniteInputError: ['operation', 'location', 'value'],
  NotSymmetricError: ['operation', 'asymmetry', 'tolerance', 'location'],
  ConvergenceError: ['operation', 'iterations', 'what'],
  InvalidArgumentError: ['operation', 'argument', 'what'],
  SingularMatrixError: ['operation', 'what', 'pivot'],
  FormatError: ['operation', 'offset', 'what'],
  EmptyGramError: ['operation'],
  GramOverflowError: ['operation', 'sample', 'coordinate'],
};
let total = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edits = [];
  const visit = (node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && params[node.expression.text] && node.arguments) {
      const names = params[node.expression.text];
      const args = node.arguments;
      if (args.length >= 1 && !(args.length === 1 && ts.isObjectLiteralExpression(args[0]))) {
        if (args.length > names.length + 1) throw new Error(`${file}: too many args at ${node.getText()}`);
        const props = [];
        names.forEach((n, i) => {
          const a = args[i];
          if (!a) return;
          const t = a.getText();
          if (t === 'undefined') return;
          props.push(t === n ? n : `${n}: ${t}`);
        });
        const opt = args[names.length];
        if (opt) {
          if (ts.isObjectLiteralExpression(opt)) for (const p of opt.properties) props.push(p.getText());
          else props.push(`...${opt.getText()}`);
        } else props.push(`scope: 'linalg'`);
        edits.push([args.pos, args.end, `{ ${props.join(', ')} }`]);
        total++;
        // Nested news inside args are rare; do not recurse into rewritten args.
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (edits.length === 0) continue;
  let out = text;
  for (const [s, e, r] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, s) + r + out.slice(e);
  writeFileSync(file, out);
  console.log(file, edits.length);
}
console.log('total', total);
