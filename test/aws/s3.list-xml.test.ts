import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseListObjectsV2 } from '../../src/aws/s3/list-xml.js';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import { startS3, type S3Fixture } from './s3server.js';

const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</ListBucketResult>`;

describe('parseListObjectsV2', () => {
  it('reads page fields and objects with the SDK types', () => {
    const page = parseListObjectsV2(
      doc(
        '<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>t+/=</NextContinuationToken>' +
          '<Contents><Key>a &amp; b &lt;c&gt; &#x41;&#66;&#xE9;\u{1F600}</Key><LastModified>2024-01-02T03:04:05.678Z</LastModified><ETag>&quot;e1&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>12</Size><Owner><ID>o</ID><DisplayName>me</DisplayName></Owner><StorageClass>GLACIER</StorageClass><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2024-02-01T00:00:00.000Z</RestoreExpiryDate></RestoreStatus></Contents>' +
          '<Contents><Key> spaced </Key><Size>0</Size></Contents><CommonPrefixes><Prefix>logs/</Prefix></CommonPrefixes>',
      ),
    );
    expect(page).toEqual({
      Name: 'b',
      Prefix: '',
      KeyCount: 2,
      MaxKeys: 1000,
      IsTruncated: true,
      NextContinuationToken: 't+/=',
      Contents: [
        {
          Key: 'a & b <c> AB\u00e9\u{1F600}',
          LastModified: new Date('2024-01-02T03:04:05.678Z'),
          ETag: '"e1"',
          ChecksumAlgorithm: ['CRC32', 'SHA256'],
          ChecksumType: 'FULL_OBJECT',
          Size: 12,
          Owner: { ID: 'o', DisplayName: 'me' },
          StorageClass: 'GLACIER',
          RestoreStatus: { IsRestoreInProgress: false, RestoreExpiryDate: new Date('2024-02-01T00:00:00.000Z') },
        },
        { Key: ' spaced ', Size: 0 },
      ],
      CommonPrefixes: [{ Prefix: 'logs/' }],
    });
  });

  it('reads line ends and whitespace as the SDK parser does', () => {
    const page = parseListObjectsV2(doc('\r\n  <Name>a\r\nb\rc</Name>\n  <Prefix>\n  </Prefix><Delimiter>&#13;</Delimiter>\n'));
    expect(page).toEqual({ Name: 'a\nb\nc', Prefix: '', Delimiter: '\r' });
  });

  it('reads an empty listing', () => {
    expect(parseListObjectsV2(doc('<Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>'))).toEqual({ Name: 'b', KeyCount: 0, IsTruncated: false });
    expect(parseListObjectsV2(doc(''))).toEqual({});
  });

  it('gives up (undefined) on whatever it does not know, for the SDK to read instead', () => {
    for (const body of [
      '<Error><Code>NoSuchBucket</Code></Error>',
      doc('<Name>b</Name><Unknown>x</Unknown>'),
      doc('<Contents><Key>k</Key><Future>1</Future></Contents>'),
      doc('<Contents><Key kind="x">k</Key></Contents>'),
      doc('<Name><![CDATA[b]]></Name>'),
      doc('<!-- note --><Name>b</Name>'),
      doc('<Name>b</Name><Name>c</Name>'),
      doc('<Contents><Size>12kb</Size></Contents>'),
      doc('<Contents><LastModified>yesterday</LastModified></Contents>'),
      doc('<IsTruncated>yes</IsTruncated>'),
      doc('<Name>&nbsp;</Name>'),
      doc('<Name>b</Name'),
      doc('<Contents><Key>k</Key>'),
      doc('<Name>b</Name>') + '<Extra/>',
      '',
      // where the SDK's parser and this one would differ
      doc('<Contents> <Key>k</Key></Contents>'),
      doc('<Contents><Key>k</Key>\t</Contents>'),
      doc('<Name>&#x1F600;</Name>'),
      doc('<Contents><LastModified>2024-01-02T24:00:00.000Z</LastModified></Contents>'),
      doc('<Contents><LastModified>2024-01-02T03:04:05.9996Z</LastModified></Contents>'),
      doc('<Contents><LastModified>2024-02-30T03:04:05.000Z</LastModified></Contents>'),
      doc('<Contents><LastModified>2024-01-02T03:04:05.000+01:00</LastModified></Contents>'),
      doc('<Contents><Owner><ID>a</ID></Owner><Owner><ID>b</ID></Owner></Contents>'),
      '<ListBucketResult Name="zz"><Name>b</Name></ListBucketResult>',
      doc('<Contents><__proto__>x</__proto__></Contents>'),
    ]) {
      expect(parseListObjectsV2(body), body).toBeUndefined();
    }
  });
});

describe('ListObjectsV2 through the fast reader, against s3rver', () => {
  let s3: S3Fixture;
  const KEYS = ['plain.txt', 'a & b.txt', '<tag>.txt', 'quote".txt', "apos'.txt", 'unicode-\u00e9\u4e2d\u{1F600}.txt', ' lead and trail ', 'dir/x.txt', 'dir/sub/y.txt'];

  beforeAll(async () => {
    s3 = await startS3(['data']);
    const client = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
    for (const [i, Key] of KEYS.entries()) await client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x'.repeat(i) }));
  });
  afterAll(async () => {
    closeClients();
    await s3.close();
  });

  it("gives the output the SDK's own deserializer gives, page by page", async () => {
    const ours = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
    const sdkOnly = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      for (const input of [{ Bucket: 'data' }, { Bucket: 'data', Delimiter: '/' }, { Bucket: 'data', MaxKeys: 3 }, { Bucket: 'data', Prefix: 'nothing/' }]) {
        const [a, b] = await Promise.all([ours.send(new ListObjectsV2Command(input)), sdkOnly.send(new ListObjectsV2Command(input))]);
        // s3rver's continuation tokens differ from request to request; both must have one or neither.
        const { $metadata: ma, NextContinuationToken: ta, ...restA } = a;
        const { $metadata: mb, NextContinuationToken: tb, ...restB } = b;
        expect(restA).toEqual(restB);
        expect(typeof ta).toBe(typeof tb);
        expect(ma.httpStatusCode).toBe(mb.httpStatusCode);
      }
      // and the reader does read s3rver's real body itself (a reader that always gave up would pass the above)
      const xml = await (await fetch(`${s3.endpoint}/data?list-type=2`)).text();
      const { $metadata: _, ...sdkPage } = await sdkOnly.send(new ListObjectsV2Command({ Bucket: 'data' }));
      expect(parseListObjectsV2(xml)).toEqual(sdkPage);
      const all = await ours.send(new ListObjectsV2Command({ Bucket: 'data' }));
      expect(all.Contents?.map((o) => o.Key).sort()).toEqual([...KEYS].sort());
      expect(all.Contents?.[0].LastModified).toBeInstanceOf(Date);
    } finally {
      sdkOnly.destroy();
    }
  });

  it('still raises S3 errors the SDK way', async () => {
    const ours = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
    await expect(ours.send(new ListObjectsV2Command({ Bucket: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });
});
