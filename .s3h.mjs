// src/bench/suites/aws-fixtures.ts
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
async function startS3rver(dir2, buckets) {
  const script = `import S3rver from 's3rver';
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(dir2)}, configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} });
const { port } = await s.run(); process.stdout.write(String(port) + '\\n');`;
  const { port, child } = await childOnPort(script, ["--openssl-legacy-provider"]);
  return { endpoint: `http://127.0.0.1:${port}`, child, port };
}
async function seedOnDisk(bucketDir, count) {
  const md5 = createHash("md5").update("x").digest("hex");
  const metadata = JSON.stringify({ "content-type": "application/octet-stream" }, null, 2);
  for (let folder = 0; folder * 1e3 < count; folder++) {
    const dir2 = join(bucketDir, "k", String(folder).padStart(4, "0"));
    await mkdir(dir2, { recursive: true });
    const writes = [];
    for (let i = folder * 1e3; i < Math.min(count, (folder + 1) * 1e3); i++) {
      const base = join(dir2, String(i).padStart(7, "0"));
      writes.push(writeFile(`${base}._S3rver_object`, "x"), writeFile(`${base}._S3rver_object.md5`, md5), writeFile(`${base}._S3rver_metadata.json`, metadata));
    }
    await Promise.all(writes);
  }
}

// ../../tmp/s3h.ts
var dir = "/tmp/s3h";
await seedOnDisk(dir + "/data", 2e4);
var p = await startS3rver(dir, ["data"]);
console.log(p.endpoint);
await new Promise(() => {
});
