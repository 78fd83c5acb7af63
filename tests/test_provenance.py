"""provenance.git_revision: the commit HEAD points at, read from the repository's files without
starting git: a branch's loose ref, packed-refs, a detached HEAD, a worktree (a .git file naming its
git folder, which names the common one), and no revision outside a repository or for a ref that
names no commit."""

from __future__ import annotations

from facepolicy.provenance import git_revision

ONE, TWO, THREE = "1" * 40, "2" * 40, "3" * 40


def _repository(root, head="ref: refs/heads/main\n"):
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text(head, encoding="utf-8")
    return git


def test_a_branchs_loose_ref_is_read_from_any_folder_below(tmp_path):
    git = _repository(tmp_path)
    (git / "refs" / "heads" / "main").write_text(ONE + "\n", encoding="utf-8")
    (tmp_path / "policies" / "doc").mkdir(parents=True)
    assert git_revision(tmp_path / "policies" / "doc") == ONE
    assert git_revision(str(tmp_path / "policies")) == ONE


def test_a_packed_ref_is_read_when_no_loose_one_is_left(tmp_path):
    git = _repository(tmp_path)
    (git / "packed-refs").write_text(
        f"# pack-refs with: peeled fully-peeled sorted\n{TWO} refs/heads/other\n"
        f"{ONE} refs/heads/main\n",
        encoding="utf-8",
    )
    assert git_revision(tmp_path) == ONE


def test_a_detached_head_is_its_commit(tmp_path):
    _repository(tmp_path, head=THREE + "\n")
    assert git_revision(tmp_path) == THREE


def test_a_worktree_reads_its_own_head_and_the_common_folders_refs(tmp_path):
    main = _repository(tmp_path / "main")
    (main / "refs" / "heads" / "feature").write_text(TWO + "\n", encoding="utf-8")
    own = main / "worktrees" / "feature"
    own.mkdir(parents=True)
    (own / "HEAD").write_text("ref: refs/heads/feature\n", encoding="utf-8")
    (own / "commondir").write_text("../..\n", encoding="utf-8")
    tree = tmp_path / "feature"
    (tree / "policies").mkdir(parents=True)
    (tree / ".git").write_text(f"gitdir: {own}\n", encoding="utf-8")
    assert git_revision(tree / "policies") == TWO
    relative = tmp_path / "relative"
    relative.mkdir()
    (relative / ".git").write_text("gitdir: main/.git/worktrees/feature\n", encoding="utf-8")
    (relative / "main").symlink_to(tmp_path / "main")
    assert git_revision(relative) == TWO


def test_no_revision_outside_a_repository_or_for_a_ref_naming_no_commit(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git_revision(plain) is None  # the temporary folder is in no repository
    git = _repository(tmp_path / "unborn")
    assert git_revision(tmp_path / "unborn") is None  # a branch with no commit yet
    (git / "refs" / "heads" / "main").write_text("abc\n", encoding="utf-8")
    assert git_revision(tmp_path / "unborn") is None  # not a commit id
    (git / "HEAD").write_bytes(b"\xff\xfe")
    assert git_revision(tmp_path / "unborn") is None  # unreadable: no revision, no error
