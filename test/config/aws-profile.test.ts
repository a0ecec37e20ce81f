import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileRegion } from '../../src/config/aws-profile.js';
import { resolveGlobals } from '../../src/cli/resolve-globals.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { IO } from '../../src/cli/types.js';
import { runCli } from '../helpers/run-cli.js';

const SHARED_CONFIG = [
  '# strata reads the region of the profile in use',
  '[default]',
  'region = eu-west-1',
  'output = json',
  '',
  '[profile prod]',
  's3 =',
  '  region = not-this-one',
  'region=ap-south-1',
  '; a comment',
  '[profile   spaced]',
  'region = us-west-2',
  '[profile commented]',
  'region = eu-central-1 # Frankfurt ; or not',
  '[sso-session prod]',
  'region = us-east-2',
  '[profile empty]',
  'region =',
].join('\r\n');

function home(withConfig: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-aws-home-'));
  if (withConfig) {
    fs.mkdirSync(path.join(dir, '.aws'));
    fs.writeFileSync(path.join(dir, '.aws', 'config'), SHARED_CONFIG);
  }
  return dir;
}

describe("the AWS profile's region", () => {
  it('is read from [default] or [profile <name>] of ~/.aws/config, skipping comments and nested sub-sections', () => {
    const h = home(true);
    expect(profileRegion('default', {}, h)).toBe('eu-west-1');
    expect(profileRegion('prod', {}, h)).toBe('ap-south-1');
    expect(profileRegion('spaced', {}, h)).toBeUndefined(); // the SDK reads one space after "profile"
    expect(profileRegion('commented', {}, h)).toBe('eu-central-1');
    expect(profileRegion('empty', {}, h)).toBeUndefined();
    expect(profileRegion('nope', {}, h)).toBeUndefined();
    expect(profileRegion('default', {}, home(false))).toBeUndefined();
    const elsewhere = path.join(h, 'other-config');
    fs.writeFileSync(elsewhere, '[default]\nregion = sa-east-1\n');
    expect(profileRegion('default', { AWS_CONFIG_FILE: elsewhere }, h)).toBe('sa-east-1');
  });

  it('is the last resort: --region, then $AWS_REGION, then the config file win over it', () => {
    const h = home(true);
    const io = { env: { HOME: h }, stdoutIsTTY: false, stderrIsTTY: false } as unknown as IO;
    const config = (env: NodeJS.ProcessEnv) => defaultConfig(env, h);
    expect(resolveGlobals({}, config({}), io).region).toBe('eu-west-1');
    expect(resolveGlobals({ profile: 'prod' }, config({}), io).region).toBe('ap-south-1');
    expect(resolveGlobals({ profile: 'prod', region: 'eu-north-1' }, config({}), io).region).toBe('eu-north-1');
    const withEnv = config({ AWS_REGION: 'ca-central-1' });
    withEnv.region = 'ca-central-1';
    expect(resolveGlobals({ profile: 'prod' }, withEnv, io).region).toBe('ca-central-1');
  });

  it('is read only when something asks for the region (a task or pipeline command never does)', () => {
    const h = home(false);
    const io = { env: { HOME: h }, stdoutIsTTY: false, stderrIsTTY: false } as unknown as IO;
    const globals = resolveGlobals({}, defaultConfig({}, h), io);
    fs.mkdirSync(path.join(h, '.aws'));
    fs.writeFileSync(path.join(h, '.aws', 'config'), '[default]\nregion = eu-south-1\n');
    expect(globals.region).toBe('eu-south-1'); // written after the globals were made
    fs.writeFileSync(path.join(h, '.aws', 'config'), '[default]\nregion = us-west-1\n');
    expect(globals.region).toBe('eu-south-1'); // and read once
  });

  it('without any region, an AWS command says how to set one (exit 2)', async () => {
    const h = home(false);
    const res = await runCli(['ec2', 'instances'], { env: { HOME: h, STRATA_CACHE_DIR: path.join(h, 'cache'), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no AWS region: pass --region, set AWS_REGION, or give the profile a region/);
    expect(res.stderr).toMatch(/~\/\.aws\/config/);
  });
});
