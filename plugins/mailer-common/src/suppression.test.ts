import { isListId } from './suppression';

describe('isListId', () => {
  it.each(['notifications', 'release-news', 'a', '0', 'x'.repeat(63)])(
    'takes %s',
    id => expect(isListId(id)).toBe(true),
  );

  it.each([
    '',
    'Notifications',
    '-news',
    'news-',
    'news.letter',
    'news letter',
    '*',
    'x'.repeat(64),
    'news\n',
    42,
    undefined,
  ])('refuses %j: it could not stand in List-Id as it is', id =>
    expect(isListId(id)).toBe(false),
  );
});
