// src/bench/suites/aws-fixtures.ts
import { spawn } from "node:child_process";
async function childOnPort(script, extraArgs = []) {
  const orphanGuard = `process.stdin.on('end', () => process.exit(0)).resume();
`;
  const child = spawn(process.execPath, [...extraArgs, "--input-type=module", "-e", orphanGuard + script], { stdio: ["pipe", "pipe", "inherit"], cwd: process.cwd() });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(d.toString().trim())));
    child.once("exit", (code) => reject(new Error(`peer process exited with ${code}`)));
  });
  return { port, child };
}
async function startS3rver(dir, buckets) {
  const script = `import S3rver from 's3rver';
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} });
const { port } = await s.run(); process.stdout.write(String(port) + '\\n');`;
  const { port, child } = await childOnPort(script, ["--openssl-legacy-provider"]);
  return { endpoint: `http://127.0.0.1:${port}`, child, port };
}

// ../../tmp/s3h2.ts
var p = await startS3rver("/tmp/s3h2", ["copies"]);
console.log(p.endpoint);
await new Promise(() => {
});
