import { detect } from './services/privacy/detector';
for (const t of process.argv.slice(2)) console.log(JSON.stringify(t), JSON.stringify(detect(t).map((d) => `${d.type}:${t.slice(d.start, d.end)}`)));
