// Arithmetic on numbers, for %bench --bytes/--flops in a whole-program cell (which has no
// session to evaluate C++ in): numbers, + - * / %, << >>, parentheses. Nothing else is run.

/** The value of `text`, or an Error saying where it stopped making sense. */
export function evaluate(text: string): number {
  const tokens = text.match(/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|<<|>>|[-+*/%()]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const fail = (): never => {
    throw new Error(
      `cannot evaluate ${JSON.stringify(text)} near ${JSON.stringify(peek() ?? 'the end')}: numbers, + - * / % << >> and ( ) only`,
    );
  };
  const atom = (): number => {
    const t = tokens[at++];
    if (t === '(') {
      const v = shift();
      if (tokens[at++] !== ')') fail();
      return v;
    }
    if (t === '-') return -atom();
    if (t === '+') return atom();
    if (t === undefined || !/^\d/.test(t)) {
      at--;
      return fail();
    }
    return Number(t);
  };
  const product = (): number => {
    let v = atom();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = tokens[at++];
      const r = atom();
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[at++] === '+' ? v + product() : v - product();
    return v;
  };
  const shift = (): number => {
    let v = sum();
    while (peek() === '<<' || peek() === '>>') v = tokens[at++] === '<<' ? v * 2 ** sum() : Math.floor(v / 2 ** sum());
    return v;
  };
  const value = shift();
  if (at !== tokens.length || !Number.isFinite(value)) fail();
  return value;
}
