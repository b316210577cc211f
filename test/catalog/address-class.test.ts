import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forbiddenAddressClass, isMetadataHost } from '../../src/catalog/address-class.js';

test('every forbidden IPv4 range is named, at its first and last address', () => {
  const cases: [string, string][] = [
    ['0.0.0.0', 'this network'],
    ['0.255.255.255', 'this network'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.0', 'shared address space'],
    ['100.127.255.255', 'shared address space'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['168.63.129.16', 'cloud metadata'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.0', 'IETF protocol assignments'],
    ['192.0.0.255', 'IETF protocol assignments'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['198.18.0.0', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ];
  for (const [address, name] of cases) assert.equal(forbiddenAddressClass(address), name, address);
});

test('public IPv4 addresses next to the forbidden ranges are allowed', () => {
  for (const address of ['1.1.1.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '172.15.255.255', '172.32.0.0', '192.0.1.0', '192.167.255.255', '198.17.255.255', '198.20.0.0', '223.255.255.255', '93.184.216.34']) {
    assert.equal(forbiddenAddressClass(address), undefined, address);
  }
});

test('every forbidden IPv6 range is named; IPv4-mapped addresses are judged as the IPv4 address they carry', () => {
  const cases: [string, string][] = [
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::7f00:1', 'IPv4-compatible'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'cloud metadata'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:192.168.1.1', 'private'],
  ];
  for (const [address, name] of cases) assert.equal(forbiddenAddressClass(address), name, address);
  for (const address of ['2606:4700:4700::1111', '2001:db8::1', '::ffff:8.8.8.8', 'fbff::1', 'fe7f::1']) {
    assert.equal(forbiddenAddressClass(address), undefined, address);
  }
});

test("Node's URL parser turns decimal, octal and hexadecimal IPv4 hosts into the dotted address the classifier judges", () => {
  for (const host of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '017700000001']) {
    const { hostname } = new URL(`http://${host}/`);
    assert.equal(hostname, '127.0.0.1', host);
    assert.equal(forbiddenAddressClass(hostname), 'loopback', host);
  }
  assert.equal(forbiddenAddressClass(new URL('http://[0:0:0:0:0:ffff:127.0.0.1]/').hostname), 'loopback');
});

test('what is not an IP address is never taken for a reachable one', () => {
  assert.equal(forbiddenAddressClass('example.com'), 'not an IP address');
  assert.equal(forbiddenAddressClass('127.0.0.1.1'), 'not an IP address');
});

test("the clouds' metadata host names are known in any case and with a trailing dot", () => {
  for (const host of ['metadata.google.internal', 'METADATA.Google.Internal.', 'metadata', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']) {
    assert.ok(isMetadataHost(host), host);
  }
  assert.ok(!isMetadataHost('metadata.example.com'));
});
