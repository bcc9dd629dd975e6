/**
 * String functions against PostgreSQL 15's answers (generated with psql on a real server, then
 * checked in): result text, result type and error codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeId } from '../../sql/types.js';
import { evalCall, expectErrors, expectTable } from './eval-call.js';
import { compilePgRegex, parseRegexFlags } from './pg-regex.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["substr('hello', -1, 3)", "h", 'text'],
  ["substr('hello', 0)", "hello", 'text'],
  ["substr('hello', -5)", "hello", 'text'],
  ["substring('hello', 10, 2)", "", 'text'],
  ["substr('hello', 3, 2147483647)", "llo", 'text'],
  ["substr('😀abc', 2, 2)", "ab", 'text'],
  ["substr('hello', -2147483647, 2147483647)", "", 'text'],
  ["strpos('abc','c')", "3", 'int4'],
  ["strpos('a😀bc','b')", "3", 'int4'],
  ["strpos('abc','')", "1", 'int4'],
  ["replace('abc','','x')", "abc", 'text'],
  ["replace('aaa','a','bb')", "bbbbbb", 'text'],
  ["replace('abc','b',NULL)", null, 'text'],
  ["translate('12345','143','ax')", "a2x5", 'text'],
  ["btrim('  x  ')", "x", 'text'],
  ["btrim('xxaxx','x')", "a", 'text'],
  ["ltrim('zzyx','xyz')", "", 'text'],
  ["rtrim(' a ')", " a", 'text'],
  ["trim('  a  ')", "a", 'text'],
  ["lpad('hi',5)", "   hi", 'text'],
  ["lpad('hello',3)", "hel", 'text'],
  ["lpad('hi',5,'')", "hi", 'text'],
  ["lpad('hi',-1,'x')", "", 'text'],
  ["rpad('hi',6,'xy')", "hixyxy", 'text'],
  ["lpad('abc',5,'😀')", "😀😀abc", 'text'],
  ["left('abcde',-2)", "abc", 'text'],
  ["right('abcde',-2)", "cde", 'text'],
  ["left('abc',-10)", "", 'text'],
  ["right('abc',10)", "abc", 'text'],
  ["right('abc',-10)", "", 'text'],
  ["repeat('ab',3)", "ababab", 'text'],
  ["repeat('ab',-1)", "", 'text'],
  ["reverse('abc')", "cba", 'text'],
  ["reverse('a😀b')", "b😀a", 'text'],
  ["split_part('a,b,c',',',-1)", "c", 'text'],
  ["split_part('a,b,c',',',4)", "", 'text'],
  ["split_part('a,b,c',',',-4)", "", 'text'],
  ["split_part('abc','',1)", "abc", 'text'],
  ["split_part('abc','',2)", "", 'text'],
  ["split_part('abc','',-1)", "abc", 'text'],
  ["split_part('','',1)", "", 'text'],
  ["split_part('a,,b',',',2)", "", 'text'],
  ["concat('a',NULL,'b')", "ab", 'text'],
  ["concat_ws(',', 'a', NULL, 'b')", "a,b", 'text'],
  ["concat_ws(NULL, 'a')", null, 'text'],
  ["starts_with('abc','ab')", "t", 'bool'],
  ["starts_with('abc','')", "t", 'bool'],
  ["ascii('')", "0", 'int4'],
  ["ascii('€')", "8364", 'int4'],
  ["ascii('abc')", "97", 'int4'],
  ["chr(8364)", "€", 'text'],
  ["md5('abc')", "900150983cd24fb0d6963f7d28e17f72", 'text'],
  ["md5('')", "d41d8cd98f00b204e9800998ecf8427e", 'text'],
  ["to_hex(-1)", "ffffffff", 'text'],
  ["to_hex(255::bigint)", "ff", 'text'],
  ["to_hex(-1::bigint)", "ffffffffffffffff", 'text'],
  ["to_hex(2147483647)", "7fffffff", 'text'],
  ["quote_ident('Foo')", "\"Foo\"", 'text'],
  ["quote_ident('foo')", "foo", 'text'],
  ["quote_ident('select')", "\"select\"", 'text'],
  ["quote_ident('a\"b')", "\"a\"\"b\"", 'text'],
  ["quote_ident('_x1')", "_x1", 'text'],
  ["quote_ident('1x')", "\"1x\"", 'text'],
  ["quote_ident('int')", "\"int\"", 'text'],
  ["quote_ident('left')", "\"left\"", 'text'],
  ["quote_ident('é')", "\"é\"", 'text'],
  ["quote_ident('')", "\"\"", 'text'],
  ["quote_literal('it''s')", "'it''s'", 'text'],
  ["quote_literal(E'a\\\\b')", "E'a\\\\b'", 'text'],
  ["quote_literal(42)", "'42'", 'text'],
  ["quote_nullable(NULL)", "NULL", 'text'],
  ["quote_nullable('x')", "'x'", 'text'],
  ["format('%s|%I|%L|%%', 'a', 'B c', 'it''s')", "a|\"B c\"|'it''s'|%", 'text'],
  ["format('%L', NULL)", "NULL", 'text'],
  ["format('%s', NULL)", "", 'text'],
  ["format('%2$s %1$s', 'a', 'b')", "b a", 'text'],
  ["format('|%-5s|%5s|', 'a','b')", "|a    |    b|", 'text'],
  ["format('%*s', 4, 'x')", "   x", 'text'],
  ["format('%-*s|', 4, 'x')", "x   |", 'text'],
  ["format('%*s|', -4, 'x')", "x   |", 'text'],
  ["format('abc')", "abc", 'text'],
  ["format('%1$s %s', 'a', 'b')", "a b", 'text'],
  ["format(NULL, 'a')", null, 'text'],
  ["format('%s %s', 'a', 'b')", "a b", 'text'],
  ["initcap('hi THERE')", "Hi There", 'text'],
  ["initcap('hello wORLD foo-bar o''neil àbc 1st')", "Hello World Foo-Bar O'Neil Àbc 1st", 'text'],
  ["lower('ÀÉÎ')", "àéî", 'text'],
  ["upper('àéß')", "ÀÉß", 'text'],
  ["upper('abc')", "ABC", 'text'],
  ["length('abc  '::char(6))", "3", 'int4'],
  ["octet_length('abc'::char(6))", "6", 'int4'],
  ["char_length('ab '::char(5))", "2", 'int4'],
  ["character_length('abc')", "3", 'int4'],
  ["bit_length('é')", "16", 'int4'],
  ["octet_length('é')", "2", 'int4'],
  ["length('😀a')", "2", 'int4'],
  ["length('abc'::varchar)", "3", 'int4'],
  ["overlay('Txxxxas', 'hom', 2, 4)", "Thomas", 'text'],
  ["overlay('Txxxxas', 'hom', 2)", "Thomxas", 'text'],
  ["normalize('abc')", "abc", 'text'],
  ["regexp_replace('foobarbaz','b(..)','X\\1Y','g')", "fooXarYXazY", 'text'],
  ["regexp_replace('abc','b','\\\\&\\&\\x\\9')", "a\\&b\\xc", 'text'],
  ["regexp_replace('abc','(b)','$1')", "a$1c", 'text'],
  ["regexp_replace('aAa','a','x','gi')", "xxx", 'text'],
  ["regexp_replace('a.b','.','x')", "x.b", 'text'],
  ["regexp_replace(E'a\\nb','a.b','x')", "x", 'text'],
  ["regexp_replace(E'a\\nb','a.b','x','n')", "a\nb", 'text'],
  ["regexp_replace('abcabc','b','x', 3)", "abcaxc", 'text'],
  ["regexp_replace('abcabc','b','x', 1, 2)", "abcaxc", 'text'],
  ["regexp_replace('abcabc','b','x', 1, 0)", "axcaxc", 'text'],
  ["regexp_replace('a{b','{','x')", "axb", 'text'],
  ["regexp_replace('a}b','}','x')", "axb", 'text'],
  ["regexp_replace('hello world','\\mw','W')", "hello World", 'text'],
  ["regexp_replace('x1y','[[:digit:]]','D')", "xDy", 'text'],
  ["regexp_replace('x1y','[^[:alpha:]]','D','g')", "xDy", 'text'],
  ["regexp_replace('a]b',']','x')", "axb", 'text'],
  ["regexp_replace('aéb','\\w+','x')", "x", 'text'],
  ["regexp_replace('abc','(?i)B','x')", "axc", 'text'],
  ["regexp_replace('abc', 'b', 'x', 1, 1, 'g')", "axc", 'text'],
  ["regexp_replace('abc','x*','-','g')", "-a-b-c-", 'text'],
  ["regexp_replace('abc','\\d','-','g')", "abc", 'text'],
  ["regexp_replace('a1b22','[0-9]+','<\\&>','g')", "a<1>b<22>", 'text'],
  ["regexp_replace('ab', '***=.', 'x')", "ab", 'text'],
  ["regexp_replace('a.b', '***=.', 'x')", "axb", 'text'],
  ["regexp_replace('one two', '(\\w+) (\\w+)', '\\2 \\1')", "two one", 'text'],
  ["regexp_replace('aaa', 'a{2}', 'x')", "xa", 'text'],
  ["regexp_replace('abc', '[a-b]', 'x', 'g')", "xxc", 'text'],
  ["regexp_replace('a-b', '[-]', 'x')", "axb", 'text'],
  ["regexp_replace('a b', 'a b', 'x', 'x')", "a b", 'text'],
  ["regexp_replace('a😀b', '.', 'x', 'g')", "xxx", 'text'],
  ["regexp_count('abcabc','b')", "2", 'int4'],
  ["regexp_count('abcabc','b', 3)", "1", 'int4'],
  ["regexp_count('aaa','a*')", "2", 'int4'],
  ["regexp_like('Abc','^a','i')", "t", 'bool'],
  ["regexp_like('Abc','^a')", "f", 'bool'],
  ["regexp_substr('abcabc','b.',1,2)", "bc", 'text'],
  ["regexp_substr('abcabc','(b)(.)',1,1,'',2)", "c", 'text'],
  ["regexp_substr('abc','z')", null, 'text'],
  ["regexp_instr('abcabc','b',1,2)", "5", 'int4'],
  ["regexp_instr('abcabc','b',1,2,1)", "6", 'int4'],
  ["regexp_instr('abcabc','(b)(c)',1,1,0,'',2)", "3", 'int4'],
  ["substring('foobar', 'o(.)')", "o", 'text'],
  ["substring('foobar', 'o.')", "oo", 'text'],
  ["substring('foobar', 'z')", null, 'text'],
  ["substring('foobar', '(z)?o')", null, 'text'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["substr('hello', 2, -1)", '22011', "negative substring length not allowed"],
  ["split_part('a,b,c',',',0)", '22023', "field position must not be zero"],
  ["chr(0)", '54000', "null character not permitted"],
  ["chr(-1)", '22023', "character number must be positive"],
  ["chr(1114112)", '54000', "requested character too large for encoding: 1114112"],
  ["chr(55296)", '54000', "requested character not valid for encoding: 55296"],
  ["format('%I', NULL)", '22004', "null values cannot be formatted as an SQL identifier"],
  ["format('%s')", '22023', "too few arguments for format()"],
  ["format('%x', 1)", '22023', "unrecognized format() type specifier \"x\""],
  ["format('%')", '22023', "unterminated format() type specifier"],
  ["format('%0$s', 'a')", '22023', "format specifies argument 0, but arguments are numbered from 1"],
  ["regexp_replace('abc','b','x','z')", '22023', "invalid regular expression option: \"z\""],
  ["regexp_replace('abcabc','b','x', 0)", '22023', "invalid value for parameter \"start\": 0"],
  ["regexp_replace('abc','(','x')", '2201B', "invalid regular expression: parentheses () not balanced"],
  ["regexp_count('abc','b',1,'g')", '22023', "regexp_count() does not support the \"global\" option"],
];

test('string functions return what PostgreSQL returns', () => {
  expectTable(CASES);
});

test('string functions raise PostgreSQL error codes and messages', () => {
  expectErrors(ERRORS);
});

test('position(substring, string): the binder turns POSITION(a IN b) into position(a, b)', () => {
  expectTable([
    ["position('c', 'abc')", '3', 'int4'],
    ["position('', 'abc')", '1', 'int4'],
    ["position('z', 'abc')", '0', 'int4'],
    ["position('b', 'a😀b')", '3', 'int4'],
  ]);
});

test('untyped literals resolve to the text overloads', () => {
  assert.equal(evalCall("length('abc')").type.id, 'int4');
  assert.equal(evalCall("upper('abc')").type.id, 'text');
  // Untyped literal in a "any" slot is text; a NULL literal is skipped by concat.
  assert.equal(evalCall("concat('a', NULL, 'b')").text, 'ab');
});

test('PostgreSQL regex syntax is translated to JavaScript', () => {
  const re = (p: string, f = '') => compilePgRegex(p, parseRegexFlags(f)).regex;
  assert.ok(re('[[:alpha:]]+').test('héllo'));
  assert.ok(re('\\mfoo\\M').test('a foo b'));
  assert.ok(!re('\\mfoo\\M').test('afoob'));
  assert.ok(re('a.b').test('a\nb'), '. matches a newline by default');
  assert.ok(!re('a.b', 'n').test('a\nb'), 'but not in newline-sensitive mode');
  assert.ok(re('^b', 'n').test('a\nb'));
  assert.ok(re('***=a.b').test('xa.by'));
  assert.ok(!re('***=a.b').test('axb'));
  assert.ok(re('(?i)ABC').test('abc'));
  assert.ok(re('a b # comment', 'x').test('ab'));
});
