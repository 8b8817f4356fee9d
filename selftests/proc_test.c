// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/vmviz tree itself: it exists while the module is loaded, with
 * the documented owners and modes.
 */
#include "vmviz_test.h"

static void expect_mode(struct __test_metadata *_metadata, const char *path,
			mode_t type, mode_t perm)
{
	struct stat st;

	ASSERT_EQ(0, stat(path, &st)) TH_LOG("stat %s: %s", path, strerror(errno));
	EXPECT_EQ(type, st.st_mode & S_IFMT) TH_LOG("%s: type %o", path, st.st_mode & S_IFMT);
	EXPECT_EQ(perm, st.st_mode & 07777) TH_LOG("%s: mode %o, want %o",
						   path, st.st_mode & 07777, perm);
	EXPECT_EQ(0, st.st_uid) TH_LOG("%s: uid %d", path, st.st_uid);
	EXPECT_EQ(0, st.st_gid) TH_LOG("%s: gid %d", path, st.st_gid);
}

TEST(dir_exists_root_owned)
{
	VMVIZ_REQUIRE();
	expect_mode(_metadata, VMVIZ_DIR, S_IFDIR, 0555);
}

TEST_HARNESS_MAIN
